"""Ready for issue with an item from the register (#22): the staff member
scans the item's label (or types the start of its number, or picks one of the
available items of the application's type and target group), checks it, and
it is reserved for the application in the same change. Never free text: the
handover act prints the register's item. Two staff members reserving the last
item at once: one wins, the other is told and chooses again."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from edu_contracts.items import ItemReservation, ItemState, ItemView
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_contracts.staff_api import StaffApplication
from edu_runtime.clients.items import ItemSearch
from litestar import get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from pydantic import ValidationError

from edu_portal.labels import TAG_CLASSES
from edu_portal.staff.application import application_of, changed_page
from edu_portal.staff.common import BASE, staff_page
from edu_portal.staff.register import register_words
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.forms import FormErrors, form_value, read_version
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me

SLUG = "izsniegsana"
SHOWN = 10  # the available items offered when nothing is typed: the first by number
Number = Annotated[str | None, QueryParameter(name="numurs", max_length=80)]


def _wanted(app: StaffApplication) -> ItemSearch:
    """The items this application may get: available, of its type and target group."""
    resource = getattr(app, "resource", None) or {}
    try:
        resource_type = LendingResourceType(str(resource.get("resource_type")))
        target_group = ResourceTargetGroup(str(resource.get("target_group")))
    except ValueError:
        return ItemSearch(states=(ItemState.AVAILABLE,))
    return ItemSearch(
        states=(ItemState.AVAILABLE,), resource_type=resource_type, target_group=target_group
    )


def _fits(item: ItemView, wanted: ItemSearch) -> bool:
    return (
        item.state is ItemState.AVAILABLE
        and wanted.resource_type in (None, item.resource_type)
        and wanted.target_group in (None, item.target_group)
    )


def _page(
    signed_in: SignedIn,
    app: StaffApplication,
    *,
    number: str = "",
    items: list[ItemView] | None = None,
    total: int = 0,
    chosen: ItemView | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    return staff_page(
        "reserve.html",
        signed_in,
        status_code=status_code,
        app=app,
        number=number,
        items=items or [],
        total=total,
        chosen=chosen,
        wanted=_wanted(app),
        errors=errors or FormErrors(),
        tag_classes=TAG_CLASSES,
        **register_words(),
    )


async def _search(
    signed_in: SignedIn,
    clients: Clients,
    app: StaffApplication,
    number: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    """The item scanned (then straight to its check), or the items matching
    what was typed, or the first available items of the right kind."""
    wanted = _wanted(app)
    errors = errors or FormErrors()
    if number and not errors:
        scanned = await clients.items.scan(number)
        if scanned is not None and _fits(scanned, wanted):
            return _page(signed_in, app, number=number, chosen=scanned)
        if scanned is not None:
            errors.add("numurs", _unfit(scanned))
            status_code = 400
    found = await clients.items.items(
        wanted.model_copy(update={"text": number}), limit=SHOWN, offset=0
    )
    if number and not found.items and not errors:
        errors.add(
            "numurs",
            _("No available item of this kind has a number starting %(n)s") % {"n": number},
        )
        status_code = 400
    return _page(
        signed_in,
        app,
        number=number,
        items=found.items,
        total=found.total,
        errors=errors,
        status_code=status_code,
    )


def _unfit(item: ItemView) -> str:
    if item.state is not ItemState.AVAILABLE:
        return _("%(n)s is not available: its state is “%(state)s”") % {
            "n": item.inventory_number,
            "state": register_words()["item_state_names"][item.state],
        }
    return _("%(n)s is of another resource type or target group than the application") % {
        "n": item.inventory_number
    }


@get(f"{BASE}/iesniegumi/{{app_id:uuid}}/{SLUG}")
async def reserve_form(
    app_id: FromPath[UUID], signed_in: Me, clients: Api, number: Number = None
) -> Template | Redirect:
    app = await application_of(clients, app_id)
    if app.status != "granted":
        return changed_page(signed_in, app)
    return await _search(signed_in, clients, app, (number or "").strip())


@post(f"{BASE}/iesniegumi/{{app_id:uuid}}/{SLUG}")
async def reserve(
    app_id: FromPath[UUID], data: Form, signed_in: Me, clients: Api
) -> Template | Redirect:
    """First post: the item chosen, shown for a check. Second (``confirmed``):
    reserved, over the application version the page showed."""
    app = await application_of(clients, app_id)
    if app.status != "granted":
        return changed_page(signed_in, app)
    errors = FormErrors()
    try:
        item_id = UUID(form_value(data, "item_id"))
    except ValueError:
        errors.add("numurs", _("Scan or find the item, then choose it"))
        return await _search(signed_in, clients, app, "", errors, status_code=400)
    item = await clients.items.item(item_id)
    if item is None or not _fits(item, _wanted(app)):
        errors.add("numurs", _unfit(item) if item else _("Scan or find the item, then choose it"))
        return await _search(signed_in, clients, app, "", errors, status_code=400)
    if form_value(data, "confirmed") != "yes":
        return _page(signed_in, app, chosen=item)
    try:
        body = ItemReservation(version=read_version(form_value(data, "version")), item_id=item_id)
        await clients.staff.reserve_item(app_id, body)
    except ValidationError:  # no version the page sent: changed, as far as known
        return changed_page(signed_in, app)
    except ApiProblem as problem:
        return await _refused(signed_in, clients, app_id, problem)
    return Redirect(f"{BASE}/iesniegumi/{app_id}?ok=1", status_code=303)


async def _refused(
    signed_in: SignedIn, clients: Clients, app_id: UUID, problem: ApiProblem
) -> Template:
    app = await application_of(clients, app_id)
    if problem.reason in ("item_taken", "item_move_not_allowed", "item_does_not_match"):
        # Someone reserved the item first (or it left the shelf): the page
        # again, saying so, with the items still available.
        errors = FormErrors()
        errors.add("numurs", _("Someone else reserved this item a moment ago: choose another"))
        return await _search(signed_in, clients, app, "", errors, status_code=409)
    if problem.status == 409:
        return changed_page(signed_in, app)
    raise problem


ROUTES: list[ControllerRouterHandler] = [reserve_form, reserve]
