"""The inbox (counts per status, filters, search, sorting, pages, exports),
one application with the actions its status allows (each with a
confirmation, and a clear page when someone else changed the application
meanwhile), bulk grant, and the issued items."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Response, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.labels import TAG_CLASSES, condition_names
from edu_portal.staff.common import (
    BASE,
    api_json,
    item_state_names,
    role_names,
    sort_names,
    staff_page,
)
from edu_portal.web.api import ApiProblem, Backend
from edu_portal.web.context import Portal, SignedIn
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
STAFF_API = "/api/v1/staff"
PAGE_SIZE = 25
CHANGED = frozenset({"stale_version", "illegal_transition"})
GRANTABLE = frozenset({"submitted", "postponed"})


# --- the inbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxQuery:
    """The inbox filters as the page's query string has them (Latvian names)
    and as the API wants them."""

    status: str = ""
    class_group: str = ""
    resource_type: str = ""
    socially_supported: str = ""  # "", "true", "false"
    incident: str = ""  # "", "open"
    q: str = ""
    sort: str = "newest"

    def api_params(self) -> dict[str, str]:
        params = {
            "status": self.status,
            "class_group": self.class_group,
            "resource_type": self.resource_type,
            "socially_supported": self.socially_supported,
            "incident": self.incident,
            "q": self.q,
            "sort": self.sort,
        }
        return {k: v for k, v in params.items() if v}

    def page_params(self, **override: str | int) -> str:
        params: dict[str, str | int] = {
            "statuss": self.status,
            "klase": self.class_group,
            "veids": self.resource_type,
            "atbalsts": self.socially_supported,
            "incidents": self.incident,
            "q": self.q,
            "kartot": self.sort if self.sort != "newest" else "",
        }
        params.update(override)
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _clean(value: str | None, allowed: set[str] | None = None, most: int = 100) -> str:
    text = (value or "").strip()[:most]
    if allowed is not None and text not in allowed:
        return ""
    return text


Q = Annotated[str | None, Parameter(query="q")]


async def inbox_filters(
    status: Annotated[str | None, Parameter(query="statuss")] = None,
    class_group: Annotated[str | None, Parameter(query="klase")] = None,
    resource_type: Annotated[str | None, Parameter(query="veids")] = None,
    supported: Annotated[str | None, Parameter(query="atbalsts")] = None,
    incident: Annotated[str | None, Parameter(query="incidents")] = None,
    q: Q = None,
    sort: Annotated[str | None, Parameter(query="kartot")] = None,
) -> InboxQuery:
    """The inbox's filters from the page's query (Latvian names), for the
    list and its exports alike; a value the inbox does not know is dropped."""
    return InboxQuery(
        status=_clean(status, set(map(str, TAG_CLASSES)) - {"draft"}),
        class_group=_clean(class_group, most=40),
        resource_type=_clean(resource_type, {"laptop", "tablet", "other"}),
        socially_supported=_clean(supported, {"true", "false"}),
        incident=_clean(incident, {"open"}),
        q=_clean(q),
        sort=_clean(sort, set(sort_names())) or "newest",
    )


FILTERS = {"filters": Provide(inbox_filters)}


@get(f"{BASE}/", dependencies=FILTERS)
async def inbox(
    signed_in: SignedIn,
    portal: Portal,
    filters: InboxQuery,
    page_number: Annotated[int, Parameter(query="lapa", ge=1, le=100_000)] = 1,
) -> Template | Redirect:
    params = filters.api_params() | {"limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
    found = await api_json(signed_in, portal, "GET", f"{STAFF_API}/inbox/", params=params)
    pages = max(1, math.ceil(found["total"] / PAGE_SIZE))
    everything = sum(found["counts"].values())
    return staff_page(
        "inbox.html",
        signed_in,
        found=found,
        query=filters,
        page_number=page_number,
        pages=pages,
        everything=everything,
        sort_names=sort_names(),
        tag_classes=TAG_CLASSES,
        grantable=GRANTABLE,
    )


async def _export(
    signed_in: SignedIn, portal: Portal, query: InboxQuery, kind: str
) -> Response[bytes]:
    token = await signed_in.token()
    r = await portal.api.request(
        Backend.APPLICATIONS,
        "GET",
        f"{STAFF_API}/inbox/export.{kind}",
        token,
        params=query.api_params(),
    )
    return Response(
        r.content,
        media_type=r.headers.get("content-type", "application/octet-stream"),
        headers={
            "Content-Disposition": r.headers.get("content-disposition", "attachment"),
            "Cache-Control": "private, no-store",
        },
    )


@get(f"{BASE}/eksports/{{kind:str}}", dependencies=FILTERS)
async def export(
    kind: str, signed_in: SignedIn, portal: Portal, filters: InboxQuery
) -> Response[bytes] | Redirect:
    if kind not in ("csv", "xlsx"):
        raise NotFoundException
    return await _export(signed_in, portal, filters, kind)


# --- bulk grant --------------------------------------------------------------------------


def _chosen(data: Any) -> list[tuple[str, int]]:
    raw = data.get("app") if data is not None else None
    values = raw if isinstance(raw, list) else ([raw] if raw else [])
    chosen: list[tuple[str, int]] = []
    for value in values[:100]:
        app_id, _sep, version = str(value).partition(":")
        try:
            chosen.append((str(UUID(app_id)), int(version)))
        except ValueError:
            continue
    return chosen


@post(f"{BASE}/pieskirt")
async def bulk_grant_review(data: Form, signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    """Step 1: the chosen applications, to be confirmed."""
    chosen = _chosen(data)
    if not chosen:
        return staff_page("bulk_none.html", signed_in, status_code=400)
    apps = []
    for app_id, version in chosen:
        try:
            app = await api_json(signed_in, portal, "GET", f"{STAFF_API}/applications/{app_id}")
        except ApiProblem:
            continue
        apps.append((app, version))
    return staff_page("bulk_confirm.html", signed_in, apps=apps)


@post(f"{BASE}/pieskirt/apstiprinat")
async def bulk_grant(data: Form, signed_in: SignedIn, portal: Portal) -> Template | Redirect:
    """Step 2: granted; each one that changed meanwhile is named with why."""
    chosen = _chosen(data)
    if not chosen:
        return staff_page("bulk_none.html", signed_in, status_code=400)
    result = await api_json(
        signed_in,
        portal,
        "POST",
        f"{STAFF_API}/inbox/bulk-grant",
        json={"applications": [{"id": i, "version": v} for i, v in chosen]},
    )
    names = {str(UUID(f)): f for f, _v in chosen}
    return staff_page("bulk_done.html", signed_in, result=result, names=names, reasons=_reasons())


def _reasons() -> dict[str, str]:
    return {
        "stale_version": _("It was changed by someone else meanwhile"),
        "illegal_transition": _("Its status no longer allows granting"),
        "application_not_found": _("No such application at your institution"),
    }


# --- one application and its actions ---------------------------------------------------------


async def _application(signed_in: SignedIn, portal: Portal, app_id: UUID) -> dict[str, Any]:
    try:
        app: dict[str, Any] = await api_json(
            signed_in, portal, "GET", f"{STAFF_API}/applications/{app_id}"
        )
    except ApiProblem as problem:
        if problem.status == 404:
            raise NotFoundException from None
        raise
    return app


def _actions_for(app: dict[str, Any]) -> list[tuple[str, str]]:
    status = app["status"]
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
    app_id: UUID,
    signed_in: SignedIn,
    portal: Portal,
    done: Annotated[str | None, Parameter(query="ok")] = None,
) -> Template | Redirect:
    app = await _application(signed_in, portal, app_id)
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


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, date, radios
    required: bool = True
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Action:
    title: str
    button: str
    path: str  # API path after /applications/{id}
    fields: tuple[Field, ...]
    fixed: tuple[tuple[str, str], ...] = ()  # body values that are not asked


def _actions() -> dict[str, Action]:
    return {
        "pieskirt": Action(
            _("Grant the application"), _("Grant"), "/decision", (), (("decision", "grant"),)
        ),
        "atteikt": Action(
            _("Refuse the application"),
            _("Refuse"),
            "/decision",
            (Field("reason", _("Reason for the refusal"), "textarea"),),
            (("decision", "refuse"),),
        ),
        "atlikt": Action(
            _("Postpone the review"),
            _("Postpone"),
            "/decision",
            (
                Field("reason", _("Reason for postponing"), "textarea"),
                Field(
                    "postponed_until",
                    _("Postponed until"),
                    "date",
                    hint=_("For example, 2026-09-15"),
                ),
            ),
            (("decision", "postpone"),),
        ),
        "izsniegsana": Action(
            _("Ready for issue: the item"),
            _("Mark as ready for issue"),
            "/ready-for-issue",
            (
                Field("model", _("Model")),
                Field("inventory_number", _("Inventory number")),
                Field("serial_number", _("Serial number")),
            ),
        ),
        "atgriesana": Action(
            _("Record the return"),
            _("Record the return"),
            "/return",
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
        "slegt": Action(
            _("Close the incident"),
            _("Close the incident"),
            "/incidents/{incident}/close",
            (Field("note", _("Note"), "textarea"),),
        ),
    }


def _values(action: Action, data: Any) -> tuple[dict[str, str], FormErrors]:
    values = {f.name: form_value(data, f.name)[:2000] for f in action.fields}
    errors = FormErrors()
    for f in action.fields:
        value = values[f.name]
        if f.required and not value:
            errors.add(f.name, _("Fill in this field"))
        elif f.kind == "date" and value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors.add(f.name, _("Enter a date like 2026-09-15"))
        elif f.kind == "radios" and value and value not in dict(f.choices):
            errors.add(f.name, _("Choose one of the options"))
    return values, errors


def _version(data: Any) -> int:
    try:
        return int(form_value(data, "version"))
    except ValueError:
        return 0


async def _action_page(
    signed_in: SignedIn, portal: Portal, app_id: UUID, slug: str, incident: str | None
) -> tuple[dict[str, Any], Action]:
    action = _actions().get(slug)
    if action is None or (slug == "slegt") != (incident is not None):
        raise NotFoundException
    app = await _application(signed_in, portal, app_id)
    return app, action


@get(f"{BASE}/iesniegumi/{{app_id:uuid}}/{{slug:str}}")
async def action_form(
    app_id: UUID,
    slug: str,
    signed_in: SignedIn,
    portal: Portal,
    incident: Annotated[str | None, Parameter(query="incidents")] = None,
) -> Template | Redirect:
    app, action = await _action_page(signed_in, portal, app_id, slug, incident)
    if slug != "slegt" and slug not in dict(_actions_for(app)):
        return staff_page(
            "changed.html", signed_in, status_code=409, app=app, tag_classes=TAG_CLASSES
        )
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
    app_id: UUID,
    slug: str,
    data: Form,
    signed_in: SignedIn,
    portal: Portal,
    incident: Annotated[str | None, Parameter(query="incidents")] = None,
) -> Template | Redirect:
    """First post: check the values and show them for confirmation. Second
    post (``confirmed``): do it. The version the page showed goes along, so a
    change by someone else meanwhile is refused and said so."""
    app, action = await _action_page(signed_in, portal, app_id, slug, incident)
    values, errors = _values(action, data)
    version = _version(data)
    context: dict[str, Any] = dict(
        app=app, action=action, slug=slug, incident=incident, values=values, version=version
    )
    if errors:
        return staff_page(
            "action.html", signed_in, status_code=400, errors=errors, confirming=False, **context
        )
    if form_value(data, "confirmed") != "yes":
        return staff_page("action.html", signed_in, errors=FormErrors(), confirming=True, **context)
    body: dict[str, Any] = {"version": version, **dict(action.fixed)}
    body.update({k: v for k, v in values.items() if v})
    path = action.path.replace("{incident}", str(UUID(incident))) if incident else action.path
    try:
        await api_json(
            signed_in, portal, "POST", f"{STAFF_API}/applications/{app_id}{path}", json=body
        )
    except ApiProblem as problem:
        if problem.reason in CHANGED or problem.status == 409:
            current = await _application(signed_in, portal, app_id)
            return staff_page(
                "changed.html", signed_in, status_code=409, app=current, tag_classes=TAG_CLASSES
            )
        if problem.status == 422:
            errors.add(
                action.fields[0].name if action.fields else "version",
                problem.detail or _("Check the values"),
            )
            return staff_page(
                "action.html",
                signed_in,
                status_code=400,
                errors=errors,
                confirming=False,
                **context,
            )
        raise
    return Redirect(f"{BASE}/iesniegumi/{app_id}?ok=1", status_code=303)


# --- issued items ---------------------------------------------------------------------------


@get(f"{BASE}/izsniegtie")
async def issued_items(
    signed_in: SignedIn,
    portal: Portal,
    item_state: Annotated[str | None, Parameter(query="stavoklis")] = None,
    page_number: Annotated[int, Parameter(query="lapa", ge=1, le=100_000)] = 1,
) -> Template | Redirect:
    chosen = _clean(item_state, set(item_state_names()) - {""})
    params: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
    if chosen:
        params["state"] = chosen
    found = await api_json(signed_in, portal, "GET", f"{STAFF_API}/issued-items/", params=params)
    return staff_page(
        "issued.html",
        signed_in,
        found=found,
        state=chosen,
        state_names=item_state_names(),
        condition_names=condition_names(),
        page_number=page_number,
        pages=max(1, math.ceil(found["total"] / PAGE_SIZE)),
        tag_classes=TAG_CLASSES,
    )


@get(f"{BASE}/izsniegtie.csv")
async def issued_items_csv(
    signed_in: SignedIn,
    portal: Portal,
    item_state: Annotated[str | None, Parameter(query="stavoklis")] = None,
) -> Response[bytes] | Redirect:
    chosen = _clean(item_state, set(item_state_names()) - {""})
    token = await signed_in.token()
    r = await portal.api.request(
        Backend.APPLICATIONS,
        "GET",
        f"{STAFF_API}/issued-items/export.csv",
        token,
        params={"state": chosen} if chosen else None,
    )
    return Response(
        r.content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": r.headers.get("content-disposition", "attachment"),
            "Cache-Control": "private, no-store",
        },
    )


ROUTES: list[ControllerRouterHandler] = [
    inbox,
    export,
    bulk_grant_review,
    bulk_grant,
    application,
    action_form,
    action_submit,
    issued_items,
    issued_items_csv,
]


@get(f"{BASE}/dokumenti/{{document_id:uuid}}")
async def document(
    document_id: UUID, signed_in: SignedIn, portal: Portal
) -> Response[bytes] | Redirect:
    """A handover or return act of the institution's application (the documents
    service decides whether this staff member may read it)."""
    token = await signed_in.token()
    try:
        r = await portal.api.request(
            Backend.DOCUMENTS, "GET", f"/api/v1/documents/{document_id}/pdf", token
        )
    except ApiProblem as problem:
        if problem.status in (403, 404):
            raise NotFoundException from None
        raise
    return Response(
        r.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document_id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


ROUTES.append(document)
