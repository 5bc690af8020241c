"""The school's item register (#22): the items with their stock counted by
state, found by the start of an inventory or serial number; one item with its
whole history and the school's own moves (repaired, found, written off); an item added by hand;
labels for the items ticked; the register as CSV. Owned by applications."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from edu_contracts.documents_api import ItemLabel, ItemLabels, LabelSymbology
from edu_contracts.items import ItemState, ItemView, SchoolMove, StockView
from edu_contracts.lending import LendingResourceType
from edu_runtime.clients.items import ItemSearch
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from edu_portal.labels import (
    ITEM_STATE_CLASSES,
    item_condition_names,
    item_move_names,
    item_state_names,
)
from edu_portal.staff.common import BASE, staff_page
from edu_portal.staff.register_forms import ItemMoveForm, LabelsForm, NewItemForm
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.downloads import pass_on
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me, PageNumber, pager, window

REGISTER = f"{BASE}/inventars"
PAGE_SIZE = 25

# The school's own moves each state allows (the service decides; these are
# the buttons offered).
MOVES_FROM: dict[ItemState, tuple[SchoolMove, ...]] = {
    ItemState.AVAILABLE: (SchoolMove.WRITE_OFF,),
    ItemState.IN_REPAIR: (SchoolMove.REPAIRED, SchoolMove.WRITE_OFF),
    ItemState.LOST: (SchoolMove.FOUND, SchoolMove.WRITE_OFF),
    ItemState.STOLEN: (SchoolMove.FOUND, SchoolMove.WRITE_OFF),
}

Text = Annotated[str | None, QueryParameter(name="meklet")]
StateFilter = Annotated[str | None, QueryParameter(name="stavoklis")]
TypeFilter = Annotated[str | None, QueryParameter(name="veids")]


def _enum(kind: type[Any], value: str | None) -> Any:
    """A filter's value, or None for an empty or unknown one (a list page
    shows everything rather than an error for a hand-edited link)."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def move_names() -> dict[SchoolMove, str]:
    return {
        SchoolMove.REPAIRED: _("Repaired: back on the shelf"),
        SchoolMove.FOUND: _("Found: to be checked (in repair)"),
        SchoolMove.WRITE_OFF: _("Write off"),
    }


def register_words() -> dict[str, Any]:
    """The labels every register page uses."""
    return {
        "item_state_names": item_state_names(),
        "item_state_classes": ITEM_STATE_CLASSES,
        "item_condition_names": item_condition_names(),
    }


def stock_totals(stock: StockView) -> dict[str, int]:
    """The register's whole stock by state, for the headline counts."""
    totals = {s.value: 0 for s in ItemState}
    for line in stock.lines:
        for state in ItemState:
            totals[state.value] += getattr(line, state.value)
    return totals


@get(REGISTER)
async def register(
    signed_in: Me,
    clients: Api,
    text: Text = None,
    state_filter: StateFilter = None,
    type_filter: TypeFilter = None,
    page_number: PageNumber = 1,
    imported: Annotated[int | None, QueryParameter(name="importeti", ge=0)] = None,
) -> Template | Redirect:
    state: ItemState | None = _enum(ItemState, state_filter)
    resource_type: LendingResourceType | None = _enum(LendingResourceType, type_filter)
    search = ItemSearch(
        text=(text or "").strip()[:80],
        states=(state,) if state else (),
        resource_type=resource_type,
    )
    found, stock = await asyncio.gather(
        clients.items.items(search, **window(page_number, PAGE_SIZE)), clients.items.stock()
    )
    return staff_page(
        "register.html",
        signed_in,
        found=found,
        stock=stock,
        totals=stock_totals(stock),
        text=search.text,
        state=state.value if state else "",
        resource_type=resource_type.value if resource_type else "",
        errors=FormErrors(),
        symbology_names=_symbology_names(),
        imported=imported,
        **pager(page_number, found.total, PAGE_SIZE),
        **register_words(),
    )


@get(f"{REGISTER}.csv")
async def register_csv(signed_in: Me, clients: Api) -> Stream | Redirect:
    return await pass_on(
        clients.items.export_csv(), filename="inventars.csv", media_type="text/csv; charset=utf-8"
    )


def _symbology_names() -> dict[str, str]:
    return {LabelSymbology.QR.value: _("QR code"), LabelSymbology.CODE128.value: _("Barcode")}


async def _item(clients: Clients, item_id: UUID) -> ItemView:
    item = await clients.items.item(item_id)
    if item is None:
        raise NotFoundException
    return item


@post(f"{REGISTER}/uzlimes")
async def print_labels(data: Form, signed_in: Me, clients: Api) -> Stream | Template:
    """A PDF sheet of labels for the items ticked in the list."""
    form, errors = LabelsForm.parse(data)
    if form is None:
        return staff_page("labels_none.html", signed_in, status_code=400, errors=errors)
    items = await asyncio.gather(*(_item(clients, i) for i in dict.fromkeys(form.item)))
    sheet = ItemLabels(
        institution_name=signed_in.session.institution_name or "—",
        symbology=form.symbology,
        labels=tuple(ItemLabel(inventory_number=i.inventory_number, model=i.model) for i in items),
    )
    return await pass_on(
        clients.documents.item_labels(sheet),
        filename="inventara-uzlimes.pdf",
        disposition="attachment",
    )


# --- one item ----------------------------------------------------------------------------


def _item_page(
    signed_in: SignedIn,
    item: ItemView,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    return staff_page(
        "register_item.html",
        signed_in,
        status_code=status_code,
        item=item,
        moves=[(m.value, move_names()[m]) for m in MOVES_FROM.get(item.state, ())],
        move_names=item_move_names(),
        errors=errors or FormErrors(),
        values=values or {},
        symbology_names=_symbology_names(),
        **register_words(),
        **context,
    )


@get(f"{REGISTER}/{{item_id:uuid}}")
async def item_page(
    item_id: FromPath[UUID],
    signed_in: Me,
    clients: Api,
    done: Annotated[str | None, QueryParameter(name="ok")] = None,
) -> Template | Redirect:
    return _item_page(signed_in, await _item(clients, item_id), done=done or "")


@post(f"{REGISTER}/{{item_id:uuid}}")
async def move_item(
    item_id: FromPath[UUID], data: Form, signed_in: Me, clients: Api
) -> Template | Redirect:
    """Repaired, found or written off, over the version the page showed."""
    form, errors = ItemMoveForm.parse(data)
    values = {"move": form_value(data, "move"), "why": form_value(data, "why")[:500]}
    if form is None:
        item = await _item(clients, item_id)
        return _item_page(signed_in, item, errors=errors, status_code=400, values=values)
    try:
        await clients.items.move(item_id, form.body())
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        # Someone moved it meanwhile (or its state no longer allows this):
        # the page as it is now, and why nothing was done.
        errors.add("move", _("The item changed meanwhile. Check its state and choose again."))
        item = await _item(clients, item_id)
        return _item_page(signed_in, item, errors=errors, status_code=409, values=values)
    return Redirect(f"{REGISTER}/{item_id}?ok=moved", status_code=303)


# --- an item added by hand ------------------------------------------------------------------


def _new_item_page(
    signed_in: SignedIn, values: dict[str, str], errors: FormErrors, status_code: int = 200
) -> Template:
    return staff_page(
        "register_new.html",
        signed_in,
        status_code=status_code,
        values=values,
        errors=errors,
        **register_words(),
    )


NEW_ITEM_FIELDS = tuple(NewItemForm.model_fields)


@get(f"{REGISTER}/jauns")
async def new_item(signed_in: Me) -> Template:
    return _new_item_page(signed_in, {"condition": "new"}, FormErrors())


@post(f"{REGISTER}/jauns")
async def add_item(data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    form, errors = NewItemForm.parse(data)
    values = {name: form_value(data, name)[:200] for name in NEW_ITEM_FIELDS}
    if form is not None:
        try:
            item = await clients.items.add(form.body())
        except ApiProblem as problem:
            if problem.reason != "number_registered":
                raise
            errors.add(
                "inventory_number", _("This inventory or serial number is registered already")
            )
        else:
            return Redirect(f"{REGISTER}/{item.item_id}?ok=added", status_code=303)
    return _new_item_page(signed_in, values, errors, status_code=400)


ROUTES: list[ControllerRouterHandler] = [
    register,
    register_csv,
    print_labels,
    new_item,
    add_item,
    item_page,
    move_item,
]
