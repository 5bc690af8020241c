"""The way into the wizard: the start page, the terms of use (agreed before
or after signing in), a new application, and going on with a draft."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.flow import FLOW, STEPS, TERMS_PAGE, first_unanswered, to_step
from edu_portal.applications.forms import CHILD, TermsForm
from edu_portal.applications.pages import BASE, app_page, own
from edu_portal.web.clients import provide_clients
from edu_portal.web.context import Portal, current_session, portal_of, to_sign_in
from edu_portal.web.forms import FormErrors
from edu_portal.web.params import Api, Form, Me

# "Agreed before signing in": after sign-in a page asks to continue, and that
# form (POST, CSRF) records the acceptance: no GET changes state (issue #19).
TERMS_COOKIE = "edu_terms_b"


@get(f"{BASE}/")
async def start(request: Request[Any, Any, Any]) -> Template:
    await current_session(request)  # the header shows who is signed in
    return app_page("start.html")


@get(TERMS_PAGE)
async def terms(request: Request[Any, Any, Any]) -> Template:
    await current_session(request)
    return app_page("terms.html", errors=FormErrors())


@post(TERMS_PAGE)
async def accept_terms(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    form, errors = TermsForm.parse(data)
    signed_in = await current_session(request)
    if form is None:
        return app_page("terms.html", status_code=400, errors=errors)
    if signed_in is None:
        # The seeds' order: agree, then authenticate. The agreement waits in a
        # short-lived cookie and is recorded as soon as the person is signed in.
        portal = portal_of(request)
        response = to_sign_in(portal, f"{TERMS_PAGE}/apstiprinati", after_form=True)
        response.cookies.append(portal.cookie(TERMS_COOKIE, "yes", max_age=1800))
        return response
    clients = await provide_clients(request)
    await clients.applications.accept_terms()
    await signed_in.clear_flow(FLOW)
    return to_step(1)


@get(f"{TERMS_PAGE}/apstiprinati")
async def agreed_before_sign_in(
    request: Request[Any, Any, Any], signed_in: Me
) -> Template | Redirect:
    if request.cookies.get(TERMS_COOKIE) != "yes":
        return Redirect(TERMS_PAGE, status_code=303)
    return app_page("terms_agreed.html")


@post(f"{TERMS_PAGE}/apstiprinati")
async def accepted_after_sign_in(
    request: Request[Any, Any, Any],
    signed_in: Me,
    portal: NamedDependency[Portal],
    clients: Api,
) -> Redirect:
    if request.cookies.get(TERMS_COOKIE) != "yes":
        return Redirect(TERMS_PAGE, status_code=303)
    await clients.applications.accept_terms()
    await signed_in.clear_flow(FLOW)
    return Redirect(STEPS[1], status_code=303, cookies=[portal.cookie(TERMS_COOKIE, "", max_age=0)])


@get(f"{BASE}/jauns")
async def new_application(signed_in: Me, clients: Api) -> Redirect:
    """ "New application" from the list: a fresh draft, terms first if needed."""
    await signed_in.clear_flow(FLOW)
    if not (await clients.applications.terms()).accepted:
        return Redirect(TERMS_PAGE, status_code=303)
    return to_step(1)


@get(f"{BASE}/{{app_id:uuid}}/turpinat")
async def resume_draft(app_id: FromPath[UUID], signed_in: Me, clients: Api) -> Redirect:
    """Go on with a draft from "My applications": at its first unanswered step."""
    app = await own(clients, app_id)
    if app.status.value != "draft":
        return Redirect(f"{BASE}/{app.id}", status_code=303)
    profile = (
        f"{CHILD}{app.learner.personal_code}"
        if app.role.value == "parent_or_guardian"
        else app.role.value
    )
    await signed_in.save_flow(FLOW, {"app_id": str(app.id), "profile": profile})
    return to_step(first_unanswered(app))


ROUTES: list[ControllerRouterHandler] = [
    start,
    terms,
    accept_terms,
    agreed_before_sign_in,
    accepted_after_sign_in,
    new_application,
    resume_draft,
]
