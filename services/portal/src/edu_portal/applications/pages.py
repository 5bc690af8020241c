"""Rendering shared by the wizard and the application pages: the template
folder, the names every page may show, and the refusals that get a page of
their own (the application changed meanwhile; an open one already exists)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from edu_contracts.applications_api import ApplicationView
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from edu_portal.applications.forms import ContactForm, open_application_id
from edu_portal.applications.texts import refusal_message
from edu_portal.labels import TAG_MODIFIERS, status_labels
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import page
from edu_portal.web.forms import form_value

BASE = "/pieteikumi"

# Refusals that mean "what you saw is not the application's state any more".
CHANGED = frozenset(
    {
        "stale_version",
        "illegal_transition",
        "not_a_draft",
        "not_issued",
        "application_closed",
        "application_incomplete",
    }
)


def app_page(template: str, *, status_code: int = 200, **context: Any) -> Template:
    return page(
        f"applications/{template}",
        status_code=status_code,
        status_labels=status_labels(),
        tag_classes=TAG_MODIFIERS,
        **context,
    )


async def problem_page(
    clients: Clients, problem: ApiProblem, app_id: UUID | str
) -> Template | Redirect:
    """A refusal of a change, as a page in the person's language."""
    if problem.reason == "terms_not_accepted":
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    if problem.reason == "application_not_found":
        raise NotFoundException
    if problem.reason in CHANGED:
        current = await clients.applications.one(app_id)
        return app_page("changed.html", status_code=409, app=current)
    if problem.reason == "open_application_exists":
        return app_page("open_exists.html", status_code=409, open_id=open_application_id(problem))
    message = refusal_message(problem.reason)
    if message is not None:
        return app_page("refused.html", status_code=problem.status, message=message, app_id=app_id)
    raise problem


async def own(clients: Clients, app_id: UUID) -> ApplicationView:
    """One of the caller's applications; 404 when it is not theirs."""
    try:
        return await clients.applications.one(app_id)
    except ApiProblem as problem:
        if problem.reason == "application_not_found":
            raise NotFoundException from None
        raise


async def contact_saved(
    clients: Clients,
    app: ApplicationView,
    data: Any,
    saved: Redirect,
    template: str,
    **context: Any,
) -> Template | Redirect:
    """Saves the contact details posted (the wizard's step 6, or an edit of a
    submitted application) and goes on to ``saved``; else shows ``template``
    again as typed, with what is wrong at the fields."""
    form, errors = ContactForm.parse(data)
    if form is not None:
        try:
            await clients.applications.update_contact(app.id, form.version, form.phone, form.email)
            return saved
        except ApiProblem as problem:
            if problem.status != 422:
                return await problem_page(clients, problem, app.id)
            errors = ContactForm.refused(problem)
    return app_page(
        template,
        status_code=400,
        app=app,
        errors=errors,
        phone=form_value(data, "phone"),
        email=form_value(data, "email"),
        **context,
    )
