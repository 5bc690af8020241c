"""Wizard steps 1-4: who the application is for, the institution, the
social status and the resource. Each step is saved into the draft at once,
with the version the page was based on; the registers are asked for the
choices at every step, and the service checks every answer again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from edu_contracts.applications_api import ApplicationView
from litestar import get, post
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.flow import (
    FLOW,
    ON_DRAFT,
    STEPS,
    TERMS_PAGE,
    Draft,
    chosen_profile,
    learner_code,
    to_step,
)
from edu_portal.applications.forms import (
    InstitutionForm,
    ProfileForm,
    ResourceForm,
    SocialStatusForm,
    open_application_id,
)
from edu_portal.applications.pages import app_page, problem_page
from edu_portal.applications.texts import refusal_message, role_names, social_group_names
from edu_portal.labels import resource_type_names, target_group_names
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me

Again = Callable[[ApplicationView, FormErrors, int], Awaitable[Template | Redirect]]


async def saved_or_shown(
    clients: Clients,
    app: ApplicationView,
    change: Awaitable[ApplicationView],
    field: str,
    again: Again,
    next_step: int,
) -> Template | Redirect:
    """The next step once ``change`` is saved; a refusal the person caused is
    shown at ``field`` by showing the step ``again``."""
    try:
        await change
    except ApiProblem as problem:
        message = refusal_message(problem.reason)
        if message is None:
            return await problem_page(clients, problem, app.id)
        errors = FormErrors()
        errors.add(field, message)
        return await again(app, errors, problem.status)
    return to_step(next_step)


# --- step 1: profile -------------------------------------------------------------------


async def _profile_page(
    clients: Clients, errors: FormErrors, chosen: str, status_code: int = 200
) -> Template:
    represented = await clients.registry.represented_persons()
    return app_page(
        "profile.html",
        status_code=status_code,
        errors=errors,
        chosen=chosen,
        children=represented.items,
        role_names=role_names(),
    )


@get(STEPS[1])
async def profile(signed_in: Me, clients: Api) -> Template | Redirect:
    if not (await clients.applications.terms()).accepted:
        return Redirect(TERMS_PAGE, status_code=303)
    return await _profile_page(clients, FormErrors(), chosen_profile(signed_in))


@post(STEPS[1])
async def choose_profile(data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    chosen = form_value(data, "profile")
    represented = {p.personal_code for p in (await clients.registry.represented_persons()).items}
    form, errors = ProfileForm.parse(data, represented=represented)
    if form is None:
        return await _profile_page(clients, errors, chosen, status_code=400)
    flow = signed_in.session.flow(FLOW)
    if flow.get("app_id") and flow.get("profile") == chosen:
        return to_step(2)  # same answer: the same draft goes on
    try:
        app = await clients.applications.create_draft(form.role, form.learner_code)
    except ApiProblem as problem:
        if problem.reason == "terms_not_accepted":
            return Redirect(TERMS_PAGE, status_code=303)
        message = refusal_message(problem.reason)
        if message is None:
            raise
        errors.add("profile", message)
        return await _profile_page(clients, errors, chosen, status_code=problem.status)
    if flow.get("app_id"):
        # A different person or role makes a new draft; the old one goes.
        try:
            old = await clients.applications.one(flow["app_id"])
            await clients.applications.withdraw(old.id, old.version)
        except ApiProblem:
            pass  # already gone or not a draft any more: nothing to tidy
    await signed_in.save_flow(FLOW, {"app_id": str(app.id), "profile": chosen})
    return to_step(2)


# --- step 2: institution ---------------------------------------------------------------


async def _institution_page(
    signed_in: SignedIn,
    clients: Clients,
    app: ApplicationView,
    errors: FormErrors,
    chosen: str,
    status_code: int = 200,
) -> Template:
    code = learner_code(signed_in, app)
    if code is None:
        found = await clients.registry.employee_institutions()
    else:
        found = await clients.registry.learner_institutions(code)
    # Institutions that take applications first; the others are shown (the
    # person knows the school) but say why they cannot be chosen now.
    items = sorted(
        found.items if found else (),
        key=lambda i: (
            not (i.institution.accepting_applications and i.institution.eligible_for_applications),
            i.institution.name,
        ),
    )
    return app_page(
        "institution.html",
        status_code=status_code,
        app=app,
        errors=errors,
        chosen=chosen,
        institutions=items,
    )


@get(STEPS[2], **ON_DRAFT)
async def institution(app: Draft, signed_in: Me, clients: Api) -> Template | Redirect:
    chosen = app.institution.institution_id if app.institution else ""
    return await _institution_page(signed_in, clients, app, FormErrors(), chosen)


@post(STEPS[2], **ON_DRAFT)
async def choose_institution(
    app: Draft, data: Form, signed_in: Me, clients: Api
) -> Template | Redirect:
    chosen = form_value(data, "institution")

    async def again(app: ApplicationView, errors: FormErrors, status: int) -> Template:
        return await _institution_page(signed_in, clients, app, errors, chosen, status)

    form, errors = InstitutionForm.parse(data)
    if form is None:
        return await again(app, errors, 400)
    change = clients.applications.choose_institution(app.id, form.version, form.institution)
    return await saved_or_shown(clients, app, change, "institution", again, 3)


# --- step 3: social status ---------------------------------------------------------------


def _status_page(
    app: ApplicationView, errors: FormErrors, supported: str, group: str, status_code: int = 200
) -> Template:
    return app_page(
        "social_status.html",
        status_code=status_code,
        app=app,
        errors=errors,
        supported=supported,
        group=group,
        groups=social_group_names(),
    )


@get(STEPS[3], **ON_DRAFT)
async def social_status(app: Draft) -> Template | Redirect:
    supported = (
        "" if app.socially_supported is None else ("yes" if app.socially_supported else "no")
    )
    return _status_page(app, FormErrors(), supported, app.social_group or "")


@post(STEPS[3], **ON_DRAFT)
async def choose_social_status(app: Draft, data: Form, clients: Api) -> Template | Redirect:
    supported, group = form_value(data, "supported"), form_value(data, "social_group")

    async def again(app: ApplicationView, errors: FormErrors, status: int) -> Template:
        return _status_page(app, errors, supported, group, status)

    form, errors = SocialStatusForm.parse(data)
    if form is None:
        return await again(app, errors, 400)
    change = clients.applications.set_social_status(app.id, form.version, form.group)
    return await saved_or_shown(clients, app, change, "supported", again, 4)


# --- step 4: resource -------------------------------------------------------------------


async def _resource_page(
    clients: Clients,
    app: ApplicationView,
    errors: FormErrors,
    chosen: str,
    status_code: int = 200,
    open_id: str | None = None,
) -> Template | Redirect:
    if app.institution is None:
        return to_step(2)
    offers = await clients.registry.offers_for_learner(
        app.institution.institution_id, app.learner.personal_code
    )
    return app_page(
        "resource.html",
        status_code=status_code,
        app=app,
        errors=errors,
        chosen=chosen,
        offers=offers.items,
        type_names=resource_type_names(),
        target_names=target_group_names(),
        open_id=open_id,
    )


@get(STEPS[4], **ON_DRAFT)
async def resource(app: Draft, clients: Api) -> Template | Redirect:
    chosen = app.resource.offer_id if app.resource else ""
    return await _resource_page(clients, app, FormErrors(), chosen)


@post(STEPS[4], **ON_DRAFT)
async def choose_resource(app: Draft, data: Form, clients: Api) -> Template | Redirect:
    chosen = form_value(data, "offer")
    form, errors = ResourceForm.parse(data)
    if form is None:
        return await _resource_page(clients, app, errors, chosen, 400)
    try:
        await clients.applications.choose_resource(app.id, form.version, form.offer)
    except ApiProblem as problem:
        if problem.reason == "open_application_exists":
            errors.add(
                "offer",
                _("This learner already has an open application for this kind of resource"),
            )
            return await _resource_page(
                clients, app, errors, chosen, 409, open_application_id(problem)
            )
        message = refusal_message(problem.reason)
        if message is None:
            return await problem_page(clients, problem, app.id)
        errors.add("offer", message)
        return await _resource_page(clients, app, errors, chosen, problem.status)
    return to_step(5)


ROUTES: list[ControllerRouterHandler] = [
    profile,
    choose_profile,
    institution,
    choose_institution,
    social_status,
    choose_social_status,
    resource,
    choose_resource,
]
