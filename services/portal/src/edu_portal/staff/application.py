"""One application for staff: its page with the actions its status allows,
each action's form (checked, shown for confirmation, then done; a clear page
when someone else changed the application meanwhile), and its handover and
return acts as PDF."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from edu_contracts.staff_api import StaffApplication
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from edu_portal.labels import TAG_CLASSES, condition_names
from edu_portal.staff.common import BASE, role_names, staff_page
from edu_portal.staff.forms import (
    TEXT_MAX,
    ActionForm,
    CloseIncidentForm,
    GrantForm,
    PostponeForm,
    RefuseForm,
    ReturnForm,
)
from edu_portal.staff.inbox import GRANTABLE
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.downloads import pass_on
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me

Incident = Annotated[str | None, QueryParameter(name="incidents")]
CHANGED = frozenset({"stale_version", "illegal_transition"})
CLOSE = "slegt"


async def application_of(clients: Clients, app_id: UUID) -> StaffApplication:
    app = await clients.staff.application(app_id)
    if app is None:
        raise NotFoundException
    return app


def _actions_for(app: StaffApplication) -> list[tuple[str, str]]:
    status = app.status
    actions: list[tuple[str, str]] = []
    if status in GRANTABLE:
        actions += [
            ("pieskirt", _("Grant")),
            ("atlikt", _("Postpone the review")),
            ("atteikt", _("Refuse")),
        ]
    if status == "granted":
        actions.append(("izsniegsana", _("Ready for issue")))
    if status == "issued":
        actions.append(("atgriesana", _("Record the return")))
    return actions


@get(f"{BASE}/iesniegumi/{{app_id:uuid}}")
async def application(
    app_id: FromPath[UUID],
    signed_in: Me,
    clients: Api,
    done: Annotated[str | None, QueryParameter(name="ok")] = None,
) -> Template | Redirect:
    app = await application_of(clients, app_id)
    return staff_page(
        "application.html",
        signed_in,
        app=app,
        actions=_actions_for(app),
        tag_classes=TAG_CLASSES,
        role_names=role_names(),
        condition_names=condition_names(),
        done=bool(done),
    )


# --- the actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """How the action's page shows one of its form's fields."""

    name: str
    label: str
    kind: str = "text"  # text, textarea, date, radios
    required: bool = True
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


Do = Callable[[Clients, UUID, UUID | None, Any], Awaitable[StaffApplication]]


@dataclass(frozen=True)
class Action:
    """One action's page: its words and fields, its form, and the call."""

    title: str
    button: str
    form: type[ActionForm]
    do: Do
    fields: tuple[Field, ...] = ()


async def _decide(clients: Clients, app_id: UUID, _i: UUID | None, form: Any) -> StaffApplication:
    return await clients.staff.decide(app_id, form.body())


async def _return(clients: Clients, app_id: UUID, _i: UUID | None, form: Any) -> StaffApplication:
    return await clients.staff.record_return(app_id, form.body())


async def _close(clients: Clients, app_id: UUID, i: UUID | None, form: Any) -> StaffApplication:
    assert i is not None
    return await clients.staff.close_incident(app_id, i, form.body())


def _actions() -> dict[str, Action]:
    return {
        "pieskirt": Action(_("Grant the application"), _("Grant"), GrantForm, _decide),
        "atteikt": Action(
            _("Refuse the application"),
            _("Refuse"),
            RefuseForm,
            _decide,
            (Field("reason", _("Reason for the refusal"), "textarea"),),
        ),
        "atlikt": Action(
            _("Postpone the review"),
            _("Postpone"),
            PostponeForm,
            _decide,
            (
                Field("reason", _("Reason for postponing"), "textarea"),
                Field(
                    "postponed_until",
                    _("Postponed until"),
                    "date",
                    hint=_("For example, 2026-09-15"),
                ),
            ),
        ),
        "atgriesana": Action(
            _("Record the return"),
            _("Record the return"),
            ReturnForm,
            _return,
            (
                Field(
                    "condition", _("Condition"), "radios", choices=tuple(condition_names().items())
                ),
                Field("note", _("Note"), "textarea", required=False),
                Field(
                    "returned_on",
                    _("Date of return"),
                    "date",
                    required=False,
                    hint=_("Leave empty for today"),
                ),
            ),
        ),
        CLOSE: Action(
            _("Close the incident"),
            _("Close the incident"),
            CloseIncidentForm,
            _close,
            (Field("note", _("Note"), "textarea"),),
        ),
    }


def _action(slug: str, incident: str | None) -> tuple[Action, UUID | None]:
    action = _actions().get(slug)
    if action is None or (slug == CLOSE) != (incident is not None):
        raise NotFoundException
    try:
        return action, UUID(incident) if incident else None
    except ValueError:
        raise NotFoundException from None


def changed_page(signed_in: SignedIn, app: StaffApplication) -> Template:
    """Someone changed the application meanwhile: what it is now, nothing done."""
    return staff_page("changed.html", signed_in, status_code=409, app=app, tag_classes=TAG_CLASSES)


@get(f"{BASE}/iesniegumi/{{app_id:uuid}}/{{slug:str}}")
async def action_form(
    app_id: FromPath[UUID],
    slug: FromPath[str],
    signed_in: Me,
    clients: Api,
    incident: Incident = None,
) -> Template | Redirect:
    action, _incident = _action(slug, incident)
    app = await application_of(clients, app_id)
    if slug != CLOSE and slug not in dict(_actions_for(app)):
        return changed_page(signed_in, app)
    return staff_page(
        "action.html",
        signed_in,
        app=app,
        action=action,
        slug=slug,
        incident=incident,
        values={},
        errors=FormErrors(),
        confirming=False,
    )


@post(f"{BASE}/iesniegumi/{{app_id:uuid}}/{{slug:str}}")
async def action_submit(
    app_id: FromPath[UUID],
    slug: FromPath[str],
    data: Form,
    signed_in: Me,
    clients: Api,
    incident: Incident = None,
) -> Template | Redirect:
    """First post: check the values and show them for confirmation. Second
    post (``confirmed``): do it. The version the page showed goes along, so a
    change by someone else meanwhile is refused and said so."""
    action, incident_id = _action(slug, incident)
    app = await application_of(clients, app_id)
    form, errors = action.form.parse(data)
    values = {f.name: form_value(data, f.name)[:TEXT_MAX] for f in action.fields}
    version = form.version if form is not None else form_value(data, "version")
    context: dict[str, Any] = dict(
        app=app, action=action, slug=slug, incident=incident, values=values, version=version
    )
    if form is None:
        return staff_page(
            "action.html", signed_in, status_code=400, errors=errors, confirming=False, **context
        )
    if form_value(data, "confirmed") != "yes":
        return staff_page("action.html", signed_in, errors=FormErrors(), confirming=True, **context)
    if form.version < 1:  # not the version of any page shown: changed meanwhile, as far as known
        return changed_page(signed_in, app)
    try:
        await action.do(clients, app_id, incident_id, form)
    except ApiProblem as problem:
        if problem.reason in CHANGED or problem.status == 409:
            return changed_page(signed_in, await application_of(clients, app_id))
        if problem.status != 422:
            raise
        errors.add(
            action.fields[0].name if action.fields else "version",
            problem.detail or _("Check the values"),
        )
        return staff_page(
            "action.html", signed_in, status_code=400, errors=errors, confirming=False, **context
        )
    return Redirect(f"{BASE}/iesniegumi/{app_id}?ok=1", status_code=303)


@get(f"{BASE}/dokumenti/{{document_id:uuid}}")
async def document(document_id: FromPath[UUID], signed_in: Me, clients: Api) -> Stream | Redirect:
    """A handover or return act of the institution's application (the documents
    service decides whether this staff member may read it)."""
    try:
        act = await pass_on(clients.documents.pdf(document_id), filename=f"{document_id}.pdf")
    except ApiProblem as problem:
        if problem.status in (403, 404):
            raise NotFoundException from None
        raise
    # Saved, not shown in the browser (documents offers it inline).
    act.headers["Content-Disposition"] = f'attachment; filename="{document_id}.pdf"'
    return act


ROUTES: list[ControllerRouterHandler] = [application, action_form, action_submit, document]
