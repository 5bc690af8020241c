"""The actions on a submitted application that its status allows: withdraw
(after a confirmation), edit the contact details, confirm receipt (showing
the documents being confirmed), report a loss or theft. Every action form
carries the version the page showed; if the application changed meanwhile
the person is told so, with its current state."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from edu_contracts.applications_api import ApplicationView
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.forms import (
    IncidentForm,
    ReceiptForm,
    posted_version,
)
from edu_portal.applications.pages import BASE, app_page, contact_saved, own, problem_page
from edu_portal.applications.texts import CONTACT_EDITABLE, WITHDRAWABLE, incident_kind_names
from edu_portal.labels import resource_type_names
from edu_portal.web.api import ApiProblem
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form


def _back_to(app_id: UUID) -> Redirect:
    return Redirect(f"{BASE}/{app_id}", status_code=303)


# --- withdraw -------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/atsaukt")
async def withdraw_confirm(app_id: FromPath[UUID], clients: Api) -> Template:
    app = await own(clients, app_id)
    if app.status not in WITHDRAWABLE:
        return app_page("changed.html", status_code=409, app=app)
    return app_page("withdraw.html", app=app, type_names=resource_type_names())


@post(f"{BASE}/{{app_id:uuid}}/atsaukt")
async def withdraw(app_id: FromPath[UUID], data: Form, clients: Api) -> Template | Redirect:
    try:
        await clients.applications.withdraw(app_id, posted_version(data))
    except ApiProblem as problem:
        return await problem_page(clients, problem, app_id)
    return _back_to(app_id)


# --- contact ----------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/kontakti")
async def edit_contact(app_id: FromPath[UUID], clients: Api) -> Template:
    app = await own(clients, app_id)
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
async def save_contact(app_id: FromPath[UUID], data: Form, clients: Api) -> Template | Redirect:
    app = await own(clients, app_id)
    return await contact_saved(
        clients, app, data, _back_to(app_id), "edit_contact.html", version=posted_version(data)
    )


# --- receipt ----------------------------------------------------------------------------


@get(f"{BASE}/{{app_id:uuid}}/sanemsana")
async def receipt(app_id: FromPath[UUID], clients: Api) -> Template:
    app = await own(clients, app_id)
    if app.status.value != "ready_for_issue":
        return app_page("changed.html", status_code=409, app=app)
    return app_page("receipt.html", app=app, errors=FormErrors(), type_names=resource_type_names())


@post(f"{BASE}/{{app_id:uuid}}/sanemsana")
async def confirm_receipt(app_id: FromPath[UUID], data: Form, clients: Api) -> Template | Redirect:
    form, errors = ReceiptForm.parse(data)
    if form is None:
        app = await own(clients, app_id)
        return app_page(
            "receipt.html",
            status_code=400,
            app=app,
            errors=errors,
            type_names=resource_type_names(),
        )
    try:
        await clients.applications.confirm_receipt(app_id, form.version)
    except ApiProblem as problem:
        return await problem_page(clients, problem, app_id)
    return _back_to(app_id)


# --- loss or theft ----------------------------------------------------------------------


def _incident_page(
    app: ApplicationView, errors: FormErrors, data: Any, status_code: int = 200
) -> Template:
    return app_page(
        "incident.html",
        status_code=status_code,
        app=app,
        errors=errors,
        kind=form_value(data, "kind"),
        description=form_value(data, "description"),
        occurred=form_value(data, "occurred_on"),
        incident_names=incident_kind_names(),
    )


@get(f"{BASE}/{{app_id:uuid}}/zudums")
async def incident(app_id: FromPath[UUID], clients: Api) -> Template:
    app = await own(clients, app_id)
    if app.status.value != "issued":
        return app_page("changed.html", status_code=409, app=app)
    return _incident_page(app, FormErrors(), None)


@post(f"{BASE}/{{app_id:uuid}}/zudums")
async def report_incident(app_id: FromPath[UUID], data: Form, clients: Api) -> Template | Redirect:
    form, errors = IncidentForm.parse(data)
    if form is not None:
        try:
            await clients.applications.report_incident(
                app_id, form.version, form.incident_kind, form.description, form.occurred_on
            )
            return _back_to(app_id)
        except ApiProblem as problem:
            if problem.reason != "occurred_on_in_future":
                return await problem_page(clients, problem, app_id)
            errors.add("occurred_on", _("The date cannot be in the future"))
    app = await own(clients, app_id)
    return _incident_page(app, errors, data, 400)


ROUTES: list[ControllerRouterHandler] = [
    withdraw_confirm,
    withdraw,
    edit_contact,
    save_contact,
    receipt,
    confirm_receipt,
    incident,
    report_incident,
]
