"""The school's lending settings: accepting applications (on/off, optional
period) and the resources it offers, with who changed what and when. Saved
through applications (their owner); the citizen wizard follows within
seconds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.forms import invalid_fields
from edu_portal.staff.common import (
    BASE,
    api_json,
    resource_type_names,
    staff_page,
    target_group_names,
    use_names,
)
from edu_portal.web.api import ApiProblem
from edu_portal.web.context import Portal, SignedIn
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
SETTINGS_API = "/api/v1/staff/lending-settings"
PAGE = f"{BASE}/iestatijumi"
MAX_OFFERS = 100


def _page(
    signed_in: SignedIn,
    settings: dict[str, Any],
    history: dict[str, Any],
    *,
    errors: FormErrors,
    status_code: int = 200,
    saved: bool = False,
    changed: bool = False,
) -> Template:
    return staff_page(
        "lending.html",
        signed_in,
        status_code=status_code,
        settings=settings,
        history=history,
        errors=errors,
        saved=saved,
        changed=changed,
        target_names=target_group_names(),
        use_names=use_names(),
        field_names=_field_names(),
    )


def _field_names() -> dict[str, str]:
    return {
        "accepting_applications": _("Accepting applications"),
        "accepting_from": _("Accepting from"),
        "accepting_to": _("Accepting until"),
        "resource_type": _("Resource type"),
        "description": _("Description or model"),
        "target_group": _("Target group"),
        "use": _("Use"),
        "for_groups": _("Programmes or classes"),
        "items_available": _("Items available"),
        "contact_email": _("Address for the daily digest of new applications"),
    }


async def _history(signed_in: SignedIn, portal: Portal) -> dict[str, Any]:
    found: dict[str, Any] = await api_json(
        signed_in, portal, "GET", f"{SETTINGS_API}/history", params={"limit": 20}
    )
    return found


@get(PAGE)
async def lending_settings(
    signed_in: SignedIn,
    portal: Portal,
    saved: Annotated[str | None, Parameter(query="saglabats")] = None,
) -> Template | Redirect:
    settings = await api_json(signed_in, portal, "GET", f"{SETTINGS_API}/")
    return _page(
        signed_in,
        settings,
        await _history(signed_in, portal),
        errors=FormErrors(),
        saved=bool(saved),
    )


def _date(value: str, field: str, errors: FormErrors) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        errors.add(field, _("Enter a date like 2026-09-15"))
        return None


def _contact_email(value: str, errors: FormErrors) -> str | None:
    """The digest's address: optional; empty means no digest."""
    value = value.strip()[:254]
    if not value:
        return None
    local, _at, domain = value.rpartition("@")
    if not local or "." not in domain or " " in value:
        errors.add("contact_email", _("Enter an e-mail address like pieteikumi@skola.lv"))
    return value


def parse_settings_form(data: Any) -> tuple[dict[str, Any], FormErrors]:
    """The form as the API's body, and what is wrong with it."""
    errors = FormErrors()
    accepting = form_value(data, "accepting")
    if accepting not in ("yes", "no"):
        errors.add("accepting", _("Say whether the institution accepts applications"))
    body: dict[str, Any] = {
        "accepting_applications": accepting == "yes",
        "accepting_from": _date(form_value(data, "accepting_from"), "accepting_from", errors),
        "accepting_to": _date(form_value(data, "accepting_to"), "accepting_to", errors),
        "offers": [],
    }
    body["contact_email"] = _contact_email(form_value(data, "contact_email"), errors)
    if (
        body["accepting_from"]
        and body["accepting_to"]
        and body["accepting_to"] < body["accepting_from"]
    ):
        errors.add("accepting_to", _("The last day must not be before the first day"))
    try:
        count = min(int(form_value(data, "offer_count") or "0"), MAX_OFFERS)
    except ValueError:
        count = 0
    for i in range(count + 1):  # the existing offers and the blank row for a new one
        offer = _offer(data, f"offer-{i}-", errors, blank_row=i == count)
        if offer is not None:
            body["offers"].append(offer)
    return body, errors


def _offer(data: Any, prefix: str, errors: FormErrors, *, blank_row: bool) -> dict[str, Any] | None:
    """One resource row of the form; None when removed (or the blank row left empty)."""
    description = form_value(data, prefix + "description")[:200]
    if form_value(data, prefix + "remove") == "yes" or (blank_row and not description):
        return None
    offer: dict[str, Any] = {
        "resource_type": form_value(data, prefix + "resource_type"),
        "description": description,
        "target_group": form_value(data, prefix + "target_group"),
        "use": form_value(data, prefix + "use"),
        "for_groups": [
            g.strip() for g in form_value(data, prefix + "for_groups").split(",") if g.strip()
        ],
    }
    offer_id = form_value(data, prefix + "offer_id")
    if offer_id:
        offer["offer_id"] = offer_id
    if not description:
        errors.add(prefix + "description", _("Enter a description or model of the resource"))
    if offer["resource_type"] not in resource_type_names():
        errors.add(prefix + "resource_type", _("Choose the resource type"))
    if offer["target_group"] not in target_group_names():
        errors.add(prefix + "target_group", _("Choose who the resource is for"))
    if offer["use"] not in use_names():
        errors.add(prefix + "use", _("Choose how the resource is used"))
    items = form_value(data, prefix + "items_available")
    if items:
        if items.isdigit() and int(items) <= 100_000:
            offer["items_available"] = int(items)
        else:
            errors.add(
                prefix + "items_available", _("Enter a whole number of items, or leave it empty")
            )
    return offer


@post(PAGE)
async def save_lending_settings(
    data: Form, signed_in: SignedIn, portal: Portal
) -> Template | Redirect:
    body, errors = parse_settings_form(data)
    try:
        version = int(form_value(data, "version"))
    except ValueError:
        version = -1
    body["version"] = version
    if not errors:
        try:
            await api_json(signed_in, portal, "PUT", f"{SETTINGS_API}/", json=body)
            return Redirect(f"{PAGE}?saglabats=1", status_code=303)
        except ApiProblem as problem:
            if problem.reason == "stale_version":
                current = await api_json(signed_in, portal, "GET", f"{SETTINGS_API}/")
                return _page(
                    signed_in,
                    current,
                    await _history(signed_in, portal),
                    errors=FormErrors(),
                    status_code=409,
                    changed=True,
                )
            if problem.status != 422:
                raise
            if "contact_email" in invalid_fields(problem):
                errors.add("contact_email", _("Enter an e-mail address like pieteikumi@skola.lv"))
            else:
                errors.add("accepting", problem.detail or _("Check the values"))
    # Shown again as typed, with what is wrong.
    shown = {
        **body,
        "version": version,
        "saved": True,
        "accepting_now": None,
        # The page's strict templates read these too (who changed it last).
        "updated_at": None,
        "updated_by": None,
    }
    shown["offers"] = [
        {**o, "for_groups": o.get("for_groups", []), "items_available": o.get("items_available")}
        for o in body["offers"]
    ]
    return _page(
        signed_in, shown, await _history(signed_in, portal), errors=errors, status_code=400
    )


ROUTES: list[ControllerRouterHandler] = [lending_settings, save_lending_settings]
