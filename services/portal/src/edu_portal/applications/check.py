"""Wizard steps 5-7: the receipt documents read, the contact details, and
"check your answers" with the submit button."""

from __future__ import annotations

from edu_contracts.applications_api import ApplicationView
from litestar import get, post
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.flow import FLOW, ON_DRAFT, STEPS, Draft, first_unanswered, to_step
from edu_portal.applications.forms import DocumentsForm, posted_version
from edu_portal.applications.pages import BASE, app_page, contact_saved, problem_page
from edu_portal.applications.steps import saved_or_shown
from edu_portal.applications.texts import role_names, social_group_names
from edu_portal.labels import resource_type_names
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.forms import FormErrors
from edu_portal.web.params import Api, Form, Me

# --- step 5: documents ------------------------------------------------------------------


async def _documents_page(
    clients: Clients, app: ApplicationView, errors: FormErrors, status_code: int = 200
) -> Template:
    documents = await clients.documents.receipt_documents()
    return app_page(
        "documents.html",
        status_code=status_code,
        app=app,
        errors=errors,
        documents=documents.items,
        read=app.acknowledged_documents is not None,
    )


@get(STEPS[5], **ON_DRAFT)
async def documents(app: Draft, clients: Api) -> Template | Redirect:
    return await _documents_page(clients, app, FormErrors())


@post(STEPS[5], **ON_DRAFT)
async def acknowledge_documents(app: Draft, data: Form, clients: Api) -> Template | Redirect:
    form, errors = DocumentsForm.parse(data)
    if form is None:
        return await _documents_page(clients, app, errors, 400)
    # The documents the person was shown: the current list, as the service
    # checks it again (a newer version in between is a refusal, shown here).
    current = await clients.documents.receipt_documents()
    read = [(d.code, d.version) for d in current.items]

    async def again(app: ApplicationView, errors: FormErrors, status: int) -> Template:
        return await _documents_page(clients, app, errors, status)

    change = clients.applications.acknowledge_documents(app.id, form.version, read)
    return await saved_or_shown(clients, app, change, "read", again, 6)


# --- step 6: contact ----------------------------------------------------------------------


@get(STEPS[6], **ON_DRAFT)
async def contact(app: Draft) -> Template | Redirect:
    phone = app.contact.phone if app.contact else ""
    email = app.contact.email if app.contact else ""
    return app_page("contact.html", app=app, errors=FormErrors(), phone=phone, email=email)


@post(STEPS[6], **ON_DRAFT)
async def save_contact(app: Draft, data: Form, clients: Api) -> Template | Redirect:
    return await contact_saved(clients, app, data, to_step(7), "contact.html")


# --- step 7: check your answers, submit ---------------------------------------------------


@get(STEPS[7], **ON_DRAFT)
async def check(app: Draft) -> Template | Redirect:
    if (step := first_unanswered(app)) < 7:
        return to_step(step)
    return app_page(
        "check.html",
        app=app,
        steps=STEPS,
        role_names=role_names(),
        groups=social_group_names(),
        type_names=resource_type_names(),
    )


@post(STEPS[7], **ON_DRAFT)
async def submit(app: Draft, data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    try:
        await clients.applications.submit(app.id, posted_version(data))
    except ApiProblem as problem:
        return await problem_page(clients, problem, app.id)
    await signed_in.clear_flow(FLOW)
    return Redirect(f"{BASE}/{app.id}/iesniegts", status_code=303)


ROUTES: list[ControllerRouterHandler] = [
    documents,
    acknowledge_documents,
    contact,
    save_contact,
    check,
    submit,
]
