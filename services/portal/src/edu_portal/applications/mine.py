"""After submission (seeds part B, 4): "My applications" with status tags,
one application with its details, history and documents, and the actions its
status allows: withdraw (after a confirmation), edit the contact details,
confirm receipt (showing the documents being confirmed), report a loss or
theft. Every action form carries the version the page showed; if the
application changed meanwhile the person is told so, with its current state.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from uuid import UUID

from edu_runtime.riga import today_in_latvia
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.calls import Calls
from edu_portal.applications.models import ApplicationView
from edu_portal.applications.pages import BASE, app_page, problem_page
from edu_portal.applications.texts import (
    CONTACT_EDITABLE,
    WITHDRAWABLE,
    actor_role_names,
    decision_names,
    document_kind_names,
    incident_kind_names,
    rejection_reason_names,
    role_names,
    social_group_names,
)
from edu_portal.applications.wizard import api_contact_errors, contact_errors
from edu_portal.labels import resource_type_names
from edu_portal.web.api import ApiProblem
from edu_portal.web.context import Portal, SignedIn
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE_SIZE = 20
PDF_HEADERS = {"Cache-Control": "private, no-store"}


def _version(data: Any) -> int:
    try:
        return int(form_value(data, "version"))
    except ValueError:
        return 0


async def _own(signed_in: SignedIn, portal: Portal, app_id: UUID) -> ApplicationView:
    try:
        return await Calls(signed_in, portal).one(app_id)
    except ApiProblem as problem:
        if problem.reason == "application_not_found":
            raise NotFoundException from None
        raise


@get(f"{BASE}/mani")
async def my_applications(
    signed_in: SignedIn,
    portal: Portal,
    page_number: Annotated[int, Parameter(query="lapa", ge=1, le=10_000)] = 1,
) -> Template | Redirect:
    try:
        found = await Calls(signed_in, portal).mine(PAGE_SIZE, (page_number - 1) * PAGE_SIZE)
    except ApiProblem as problem:
        if problem.reason == "terms_not_accepted":
            return Redirect(f"{BASE}/noteikumi", status_code=303)
        raise
    return app_page(
        "list.html",
        found=found,
        page_number=page_number,
        has_next=found.offset + len(found.items) < found.total,
        type_names=resource_type_names(),
    )


@get(f"{BASE}/{{app_id:uuid}}")
async def one_application(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Template:
    app = await _own(signed_in, portal, app_id)
    return app_page(
        "application.html",
        app=app,
        can_withdraw=app.status in WITHDRAWABLE,
        can_edit_contact=app.status in CONTACT_EDITABLE,
        can_confirm_receipt=app.status.value == "ready_for_issue",
        can_report=app.status.value == "issued",
        role_names=role_names(),
        groups=social_group_names(),
        type_names=resource_type_names(),
        kind_names=document_kind_names(),
        incident_names=incident_kind_names(),
        decision_names=decision_names(),
        actor_names=actor_role_names(),
        rejection_names=rejection_reason_names(),
    )


@get(f"{BASE}/{{app_id:uuid}}/iesniegts")
async def submitted(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Template:
    """The confirmation. Until the registers' verdict arrives (a second or
    two) the page says so and reloads itself (meta refresh, no script)."""
    app = await _own(signed_in, portal, app_id)
    return app_page("submitted.html", app=app, rejection_names=rejection_reason_names())


# --- withdraw -------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/atsaukt")
async def withdraw_confirm(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Template:
    app = await _own(signed_in, portal, app_id)
    if app.status not in WITHDRAWABLE:
        return app_page("changed.html", status_code=409, app=app)
    return app_page("withdraw.html", app=app, type_names=resource_type_names())


@post(f"{BASE}/{{app_id:uuid}}/atsaukt")
async def withdraw(
    app_id: UUID, data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    try:
        await Calls(signed_in, portal).change(
            "POST", app_id, "/withdraw", {"version": _version(data)}
        )
    except ApiProblem as problem:
        return await problem_page(signed_in, portal, problem, app_id)
    return Redirect(f"{BASE}/{app_id}", status_code=303)


# --- contact ----------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/kontakti")
async def edit_contact(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Template:
    app = await _own(signed_in, portal, app_id)
    if app.status not in CONTACT_EDITABLE:
        return app_page("changed.html", status_code=409, app=app)
    return app_page(
        "edit_contact.html",
        app=app,
        errors=FormErrors(),
        phone=app.contact.phone if app.contact else "",
        email=app.contact.email if app.contact else "",
        version=app.version,
    )


@post(f"{BASE}/{{app_id:uuid}}/kontakti")
async def save_contact(
    app_id: UUID, data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    phone, email = form_value(data, "phone"), form_value(data, "email")
    errors = contact_errors(phone, email)
    if not errors:
        try:
            await Calls(signed_in, portal).change(
                "PATCH",
                app_id,
                "/contact",
                {"version": _version(data), "phone": phone, "email": email},
            )
            return Redirect(f"{BASE}/{app_id}", status_code=303)
        except ApiProblem as problem:
            if problem.status != 422:
                return await problem_page(signed_in, portal, problem, app_id)
            errors = api_contact_errors(problem)
    app = await _own(signed_in, portal, app_id)
    return app_page(
        "edit_contact.html",
        status_code=400,
        app=app,
        errors=errors,
        phone=phone,
        email=email,
        version=_version(data),
    )


# --- receipt ----------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/sanemsana")
async def receipt(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Template:
    app = await _own(signed_in, portal, app_id)
    if app.status.value != "ready_for_issue":
        return app_page("changed.html", status_code=409, app=app)
    return app_page("receipt.html", app=app, errors=FormErrors(), type_names=resource_type_names())


@post(f"{BASE}/{{app_id:uuid}}/sanemsana")
async def confirm_receipt(
    app_id: UUID, data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    if form_value(data, "received") != "yes":
        app = await _own(signed_in, portal, app_id)
        errors = FormErrors()
        errors.add("received", _("Confirm that you have received the resource"))
        return app_page(
            "receipt.html",
            status_code=400,
            app=app,
            errors=errors,
            type_names=resource_type_names(),
        )
    try:
        await Calls(signed_in, portal).change(
            "POST", app_id, "/receipt-confirmation", {"version": _version(data)}
        )
    except ApiProblem as problem:
        return await problem_page(signed_in, portal, problem, app_id)
    return Redirect(f"{BASE}/{app_id}", status_code=303)


# --- loss or theft ----------------------------------------------------------------------


def _incident_page(
    app: ApplicationView,
    errors: FormErrors,
    kind: str,
    description: str,
    occurred: str,
    status_code: int = 200,
) -> Template:
    return app_page(
        "incident.html",
        status_code=status_code,
        app=app,
        errors=errors,
        kind=kind,
        description=description,
        occurred=occurred,
        incident_names=incident_kind_names(),
    )


@get(f"{BASE}/{{app_id:uuid}}/zudums")
async def incident(app_id: UUID, signed_in: SignedIn, portal: Portal) -> Template:
    app = await _own(signed_in, portal, app_id)
    if app.status.value != "issued":
        return app_page("changed.html", status_code=409, app=app)
    return _incident_page(app, FormErrors(), "", "", "")


@post(f"{BASE}/{{app_id:uuid}}/zudums")
async def report_incident(
    app_id: UUID, data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    kind = form_value(data, "kind")
    description = form_value(data, "description")
    occurred = form_value(data, "occurred_on")
    errors = FormErrors()
    if kind not in incident_kind_names():
        errors.add("kind", _("Say whether the resource was lost or stolen"))
    if len(description) < 10:
        errors.add("description", _("Describe what happened (at least 10 characters)"))
    elif len(description) > 4000:
        errors.add("description", _("The description can be at most 4000 characters long"))
    occurred_on: dt.date | None = None
    if occurred:
        try:
            occurred_on = _parse_date(occurred)
        except ValueError:
            errors.add("occurred_on", _("Enter the date like 31.08.2026."))
        else:
            if occurred_on > today_in_latvia():
                errors.add("occurred_on", _("The date cannot be in the future"))
    if not errors:
        body: dict[str, Any] = {
            "version": _version(data),
            "kind": kind,
            "description": description,
        }
        if occurred_on:
            body["occurred_on"] = occurred_on.isoformat()
        try:
            await Calls(signed_in, portal).change("POST", app_id, "/incidents", body)
            return Redirect(f"{BASE}/{app_id}", status_code=303)
        except ApiProblem as problem:
            if problem.reason == "occurred_on_in_future":
                errors.add("occurred_on", _("The date cannot be in the future"))
            else:
                return await problem_page(signed_in, portal, problem, app_id)
    app = await _own(signed_in, portal, app_id)
    return _incident_page(app, errors, kind, description, occurred, 400)


def _parse_date(text: str) -> dt.date:
    """31.08.2026, 31.08.2026. or 2026-08-31."""
    text = text.strip().rstrip(".")
    if "-" in text:
        return dt.date.fromisoformat(text)
    day, month, year = (int(p) for p in text.split("."))
    return dt.date(year, month, day)


# --- files ------------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/dokumenti/{{document_id:uuid}}")
async def document(
    app_id: UUID, document_id: UUID, signed_in: SignedIn, portal: Portal
) -> Response[bytes]:
    app = await _own(signed_in, portal, app_id)
    if document_id not in {d.document_id for d in app.documents}:
        raise NotFoundException
    content, disposition = await Calls(signed_in, portal).document_pdf(document_id)
    # The act is the person's to keep: saved, not opened in the browser's viewer.
    filename = _filename(disposition) or f"{document_id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **PDF_HEADERS},
    )


def _filename(disposition: str | None) -> str | None:
    found = re.search(r'filename="?([A-Za-z0-9._-]+)"?', disposition or "")
    return found.group(1) if found else None


@get(f"{BASE}/paraugi/{{code:str}}")
async def preview(code: str, signed_in: SignedIn, portal: Portal) -> Response[bytes]:
    """A receipt document's sample (wizard step 5)."""
    if not code.replace("_", "").isalnum() or len(code) > 64:
        raise NotFoundException
    content = await Calls(signed_in, portal).preview(code)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{code}.pdf"', **PDF_HEADERS},
    )


ROUTES: list[ControllerRouterHandler] = [
    my_applications,
    one_application,
    submitted,
    withdraw_confirm,
    withdraw,
    edit_contact,
    save_contact,
    receipt,
    confirm_receipt,
    incident,
    report_incident,
    document,
    preview,
]
