"""The resource application wizard (seeds part B, steps 1-7): start page →
terms → profile → institution → social status → resource → documents →
contact → check your answers → submitted.

Each step is saved into the application's draft at once (one API call per
step, with the version the page was based on), so the draft itself keeps the
answers: a back link, a reload or a second tab shows what was saved. The
session keeps only which draft is being filled (flow ``application``) and the
profile choice. The registers are asked for the choices at every step, and the
applications service checks every answer again; the pages never decide who
may apply for what.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.calls import Calls, invalid_fields, open_application_id
from edu_portal.applications.models import ApplicationView
from edu_portal.applications.pages import BASE, app_page, problem_page
from edu_portal.applications.texts import (
    refusal_message,
    role_names,
    social_group_names,
)
from edu_portal.labels import resource_type_names, target_group_names
from edu_portal.web.api import ApiProblem
from edu_portal.web.context import Portal, SignedIn, current_session, portal_of, to_sign_in
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FLOW = "application"
NEW = f"{BASE}/jauns"
STEPS = {
    1: f"{NEW}/profils",
    2: f"{NEW}/iestade",
    3: f"{NEW}/statuss",
    4: f"{NEW}/resurss",
    5: f"{NEW}/dokumenti",
    6: f"{NEW}/kontakti",
    7: f"{NEW}/parbaude",
}
# "Agreed before signing in": after sign-in a page asks to continue, and that
# form (POST, CSRF) records the acceptance: no GET changes state (issue #19).
TERMS_COOKIE = "edu_terms_b"
ADULT, EMPLOYEE, CHILD = "adult_learner", "employee", "child:"


def _version(data: Any) -> int:
    try:
        return int(form_value(data, "version"))
    except ValueError:
        return 0


async def _draft(signed_in: SignedIn, portal: Portal) -> ApplicationView | Redirect:
    """The draft being filled, or where to go instead (step 1; or the
    application itself once it is no longer a draft)."""
    app_id = signed_in.session.flow(FLOW).get("app_id")
    if not app_id:
        return Redirect(STEPS[1], status_code=303)
    try:
        app = await Calls(signed_in, portal).one(app_id)
    except ApiProblem as problem:
        if problem.reason in ("application_not_found", "terms_not_accepted"):
            await signed_in.clear_flow(FLOW)
            return Redirect(STEPS[1], status_code=303)
        raise
    if app.status.value != "draft":
        return Redirect(f"{BASE}/{app.id}", status_code=303)
    return app


# --- start and terms -----------------------------------------------------------


@get(f"{BASE}/")
async def start(request: Request[Any, Any, Any]) -> Template:
    await current_session(request)  # the header shows who is signed in
    return app_page("start.html")


@get(f"{BASE}/noteikumi")
async def terms(request: Request[Any, Any, Any]) -> Template:
    await current_session(request)
    return app_page("terms.html", errors=FormErrors())


@post(f"{BASE}/noteikumi")
async def accept_terms(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    if form_value(data, "agree") != "yes":
        await current_session(request)
        errors = FormErrors()
        errors.add("agree", _("Confirm that you agree to the terms of use to continue"))
        return app_page("terms.html", status_code=400, errors=errors)
    signed_in = await current_session(request)
    if signed_in is None:
        # The seeds' order: agree, then authenticate. The agreement waits in a
        # short-lived cookie and is recorded as soon as the person is signed in.
        portal = portal_of(request)
        response = to_sign_in(portal, f"{BASE}/noteikumi/apstiprinati", after_form=True)
        response.cookies.append(portal.cookie(TERMS_COOKIE, "yes", max_age=1800))
        return response
    await Calls(signed_in, portal_of(request)).accept_terms()
    await signed_in.clear_flow(FLOW)
    return Redirect(STEPS[1], status_code=303)


@get(f"{BASE}/noteikumi/apstiprinati")
async def agreed_before_sign_in(
    request: Request[Any, Any, Any], signed_in: SignedIn
) -> Template | Redirect:
    if request.cookies.get(TERMS_COOKIE) != "yes":
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    return app_page("terms_agreed.html")


@post(f"{BASE}/noteikumi/apstiprinati")
async def accepted_after_sign_in(
    request: Request[Any, Any, Any], signed_in: SignedIn, portal: Portal
) -> Redirect:
    if request.cookies.get(TERMS_COOKIE) != "yes":
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    await Calls(signed_in, portal).accept_terms()
    await signed_in.clear_flow(FLOW)
    return Redirect(STEPS[1], status_code=303, cookies=[portal.cookie(TERMS_COOKIE, "", max_age=0)])


@get(f"{BASE}/jauns")
async def new_application(signed_in: SignedIn, portal: Portal) -> Redirect:
    """ "New application" from the list: a fresh draft, terms first if needed."""
    await signed_in.clear_flow(FLOW)
    if not (await Calls(signed_in, portal).terms()).accepted:
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    return Redirect(STEPS[1], status_code=303)


@get(f"{BASE}/{{app_id:uuid}}/turpinat")
async def resume_draft(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Redirect:
    """Go on with a draft from "My applications": at its first unanswered step."""
    try:
        app = await Calls(signed_in, portal).one(app_id)
    except ApiProblem as problem:
        if problem.reason == "application_not_found":
            raise NotFoundException from None
        raise
    if app.status.value != "draft":
        return Redirect(f"{BASE}/{app.id}", status_code=303)
    profile = (
        f"{CHILD}{app.learner.personal_code}"
        if app.role.value == "parent_or_guardian"
        else app.role.value
    )
    await signed_in.save_flow(FLOW, {"app_id": str(app.id), "profile": profile})
    return Redirect(STEPS[_first_unanswered(app)], status_code=303)


def _first_unanswered(app: ApplicationView) -> int:
    for step, missing in (
        (2, app.institution is None),
        (3, app.socially_supported is None),
        (4, app.resource is None),
        (5, app.acknowledged_documents is None),
        (6, app.contact is None),
    ):
        if missing:
            return step
    return 7


# --- step 1: profile -------------------------------------------------------------


async def _profile_page(
    signed_in: SignedIn, portal: Portal, errors: FormErrors, chosen: str, status_code: int = 200
) -> Template:
    represented = await Calls(signed_in, portal).represented()
    return app_page(
        "profile.html",
        status_code=status_code,
        errors=errors,
        chosen=chosen,
        children=represented.items,
        role_names=role_names(),
    )


@get(STEPS[1])
async def profile(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    if not (await Calls(signed_in, portal).terms()).accepted:
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    chosen = str(signed_in.session.flow(FLOW).get("profile", ""))
    return await _profile_page(signed_in, portal, FormErrors(), chosen)


@post(STEPS[1])
async def choose_profile(data: Form, signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    chosen = form_value(data, "profile")
    calls = Calls(signed_in, portal)
    represented = {p.personal_code for p in (await calls.represented()).items}
    errors = FormErrors()
    body: dict[str, Any]
    if chosen in (ADULT, EMPLOYEE):
        body = {"role": chosen}
    elif chosen.startswith(CHILD) and chosen[len(CHILD) :] in represented:
        body = {"role": "parent_or_guardian", "learner_code": chosen[len(CHILD) :]}
    else:
        errors.add("profile", _("Choose who the application is for"))
        return await _profile_page(signed_in, portal, errors, chosen, status_code=400)
    flow = signed_in.session.flow(FLOW)
    if flow.get("app_id") and flow.get("profile") == chosen:
        return Redirect(STEPS[2], status_code=303)  # same answer: the same draft goes on
    try:
        app = await calls.change("POST", None, "", body)
    except ApiProblem as problem:
        if problem.reason == "terms_not_accepted":
            return Redirect(f"{BASE}/noteikumi", status_code=303)
        message = refusal_message(problem.reason)
        if message is None:
            raise
        errors.add("profile", message)
        return await _profile_page(signed_in, portal, errors, chosen, status_code=problem.status)
    if flow.get("app_id"):
        # A different person or role makes a new draft; the old one goes.
        try:
            old = await calls.one(flow["app_id"])
            await calls.change("POST", old.id, "/withdraw", {"version": old.version})
        except ApiProblem:
            pass  # already gone or not a draft any more: nothing to tidy
    await signed_in.save_flow(FLOW, {"app_id": str(app.id), "profile": chosen})
    return Redirect(STEPS[2], status_code=303)


# --- step 2: institution -------------------------------------------------------------


def _learner_code(signed_in: SignedIn, app: ApplicationView) -> str | None:
    chosen = str(signed_in.session.flow(FLOW).get("profile", ""))
    if chosen.startswith(CHILD):
        return chosen[len(CHILD) :]
    return None if app.role.value == EMPLOYEE else signed_in.person_code


async def _institution_page(
    signed_in: SignedIn,
    portal: Portal,
    app: ApplicationView,
    errors: FormErrors,
    chosen: str,
    status_code: int = 200,
) -> Template:
    found = await Calls(signed_in, portal).learner_institutions(_learner_code(signed_in, app))
    # Institutions that take applications first; the others are shown (the
    # person knows the school) but say why they cannot be chosen now.
    items = sorted(
        found.items,
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


@get(STEPS[2])
async def institution(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    chosen = app.institution.institution_id if app.institution else ""
    return await _institution_page(signed_in, portal, app, FormErrors(), chosen)


async def _save_step(
    signed_in: SignedIn,
    portal: Portal,
    data: Any,
    method: str,
    action: str,
    body: dict[str, Any],
    field: str,
    again: Any,
) -> Template | Redirect | ApplicationView:
    """Save one step; a refusal the person caused is shown at ``field`` by
    re-rendering the step with ``again(app, errors, status)``."""
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    try:
        return await Calls(signed_in, portal).change(
            method, app.id, action, {"version": _version(data), **body}
        )
    except ApiProblem as problem:
        message = refusal_message(problem.reason)
        if message is None:
            return await problem_page(signed_in, portal, problem, app.id)
        errors = FormErrors()
        errors.add(field, message)
        result: Template = await again(app, errors, problem.status)
        return result


@post(STEPS[2])
async def choose_institution(
    data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    chosen = form_value(data, "institution")

    async def again(app: ApplicationView, errors: FormErrors, status: int) -> Template:
        return await _institution_page(signed_in, portal, app, errors, chosen, status)

    if not chosen:
        app = await _draft(signed_in, portal)
        if isinstance(app, Redirect):
            return app
        errors = FormErrors()
        errors.add("institution", _("Choose the institution"))
        return await again(app, errors, 400)
    saved = await _save_step(
        signed_in,
        portal,
        data,
        "PUT",
        "/institution",
        {"institution_id": chosen},
        "institution",
        again,
    )
    return saved if not isinstance(saved, ApplicationView) else Redirect(STEPS[3], status_code=303)


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


@get(STEPS[3])
async def social_status(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    supported = (
        "" if app.socially_supported is None else ("yes" if app.socially_supported else "no")
    )
    return _status_page(app, FormErrors(), supported, app.social_group or "")


@post(STEPS[3])
async def choose_social_status(
    data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    supported = form_value(data, "supported")
    group = form_value(data, "social_group")

    async def again(app: ApplicationView, errors: FormErrors, status: int) -> Template:
        return _status_page(app, errors, supported, group, status)

    errors = FormErrors()
    if supported not in ("yes", "no"):
        errors.add("supported", _("Say whether the learner belongs to a socially supported group"))
    elif supported == "yes" and group not in social_group_names():
        errors.add("social_group", _("Choose the socially supported group"))
    if errors:
        app = await _draft(signed_in, portal)
        return app if isinstance(app, Redirect) else await again(app, errors, 400)
    body = {
        "socially_supported": supported == "yes",
        "social_group": group if supported == "yes" else None,
    }
    saved = await _save_step(
        signed_in, portal, data, "PUT", "/social-status", body, "supported", again
    )
    return saved if not isinstance(saved, ApplicationView) else Redirect(STEPS[4], status_code=303)


# --- step 4: resource -------------------------------------------------------------------


async def _resource_page(
    signed_in: SignedIn,
    portal: Portal,
    app: ApplicationView,
    errors: FormErrors,
    chosen: str,
    status_code: int = 200,
    open_id: str | None = None,
) -> Template | Redirect:
    if app.institution is None:
        return Redirect(STEPS[2], status_code=303)
    offers = await Calls(signed_in, portal).offers(
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


@get(STEPS[4])
async def resource(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    chosen = app.resource.offer_id if app.resource else ""
    return await _resource_page(signed_in, portal, app, FormErrors(), chosen)


@post(STEPS[4])
async def choose_resource(data: Form, signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    chosen = form_value(data, "offer")
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    errors = FormErrors()
    if not chosen:
        errors.add("offer", _("Choose the resource"))
        return await _resource_page(signed_in, portal, app, errors, chosen, 400)
    try:
        await Calls(signed_in, portal).change(
            "PUT", app.id, "/resource", {"version": _version(data), "offer_id": chosen}
        )
    except ApiProblem as problem:
        if problem.reason == "open_application_exists":
            errors.add(
                "offer",
                _("This learner already has an open application for this kind of resource"),
            )
            return await _resource_page(
                signed_in, portal, app, errors, chosen, 409, open_application_id(problem)
            )
        message = refusal_message(problem.reason)
        if message is None:
            return await problem_page(signed_in, portal, problem, app.id)
        errors.add("offer", message)
        return await _resource_page(signed_in, portal, app, errors, chosen, problem.status)
    return Redirect(STEPS[5], status_code=303)


# --- step 5: documents ------------------------------------------------------------------


async def _documents_page(
    signed_in: SignedIn,
    portal: Portal,
    app: ApplicationView,
    errors: FormErrors,
    status_code: int = 200,
) -> Template:
    documents = await Calls(signed_in, portal).receipt_documents()
    return app_page(
        "documents.html",
        status_code=status_code,
        app=app,
        errors=errors,
        documents=documents.items,
        read=app.acknowledged_documents is not None,
    )


@get(STEPS[5])
async def documents(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    return await _documents_page(signed_in, portal, app, FormErrors())


@post(STEPS[5])
async def acknowledge_documents(
    data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    if form_value(data, "read") != "yes":
        errors = FormErrors()
        errors.add("read", _("Confirm that you have read the documents"))
        return await _documents_page(signed_in, portal, app, errors, 400)
    # The documents the person was shown: the current list, as the service
    # checks it again (a newer version in between is a refusal, shown here).
    current = await Calls(signed_in, portal).receipt_documents()
    body = {"acknowledged": [{"code": d.code, "version": d.version} for d in current.items]}

    async def again(app: ApplicationView, errors: FormErrors, status: int) -> Template:
        return await _documents_page(signed_in, portal, app, errors, status)

    saved = await _save_step(signed_in, portal, data, "PUT", "/documents", body, "read", again)
    return saved if not isinstance(saved, ApplicationView) else Redirect(STEPS[6], status_code=303)


# --- step 6: contact ----------------------------------------------------------------------


def contact_errors(phone: str, email: str) -> FormErrors:
    errors = FormErrors()
    digits = phone.replace(" ", "").replace("-", "")
    if not phone:
        errors.add("phone", _("Enter a phone number"))
    elif not (digits.lstrip("+").isdigit() and 8 <= len(digits.lstrip("+")) <= 15):
        errors.add("phone", _("Enter a phone number like 2612 3456 or +371 2612 3456"))
    if not email:
        errors.add("email", _("Enter an e-mail address"))
    elif "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        errors.add("email", _("Enter an e-mail address like name@example.lv"))
    return errors


def api_contact_errors(problem: ApiProblem) -> FormErrors:
    """The service's 422 on a contact change, at the fields it names."""
    errors = FormErrors()
    fields = invalid_fields(problem)
    if "phone" in fields:
        errors.add("phone", _("Enter a phone number like 2612 3456 or +371 2612 3456"))
    if "email" in fields or not errors:
        errors.add("email", _("Enter an e-mail address like name@example.lv"))
    return errors


@get(STEPS[6])
async def contact(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    phone = app.contact.phone if app.contact else ""
    email = app.contact.email if app.contact else ""
    return app_page("contact.html", app=app, errors=FormErrors(), phone=phone, email=email)


@post(STEPS[6])
async def save_contact(data: Form, signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    phone, email = form_value(data, "phone"), form_value(data, "email")
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    errors = contact_errors(phone, email)
    if not errors:
        try:
            await Calls(signed_in, portal).change(
                "PATCH",
                app.id,
                "/contact",
                {"version": _version(data), "phone": phone, "email": email},
            )
            return Redirect(STEPS[7], status_code=303)
        except ApiProblem as problem:
            if problem.status != 422:
                return await problem_page(signed_in, portal, problem, app.id)
            errors = api_contact_errors(problem)
    return app_page(
        "contact.html", status_code=400, app=app, errors=errors, phone=phone, email=email
    )


# --- step 7: check your answers, submit ---------------------------------------------------


@get(STEPS[7])
async def check(signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    if (step := _first_unanswered(app)) < 7:
        return Redirect(STEPS[step], status_code=303)
    return app_page(
        "check.html",
        app=app,
        steps=STEPS,
        role_names=role_names(),
        groups=social_group_names(),
        type_names=resource_type_names(),
    )


@post(STEPS[7])
async def submit(data: Form, signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    app = await _draft(signed_in, portal)
    if isinstance(app, Redirect):
        return app
    try:
        await Calls(signed_in, portal).change(
            "POST", app.id, "/submit", {"version": _version(data)}
        )
    except ApiProblem as problem:
        return await problem_page(signed_in, portal, problem, app.id)
    await signed_in.clear_flow(FLOW)
    return Redirect(f"{BASE}/{app.id}/iesniegts", status_code=303)


ROUTES: list[ControllerRouterHandler] = [
    start,
    terms,
    accept_terms,
    agreed_before_sign_in,
    accepted_after_sign_in,
    new_application,
    resume_draft,
    profile,
    choose_profile,
    institution,
    choose_institution,
    social_status,
    choose_social_status,
    resource,
    choose_resource,
    documents,
    acknowledge_documents,
    contact,
    save_contact,
    check,
    submit,
]
