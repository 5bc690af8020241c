"""Staff HTTP API of the school's item register (``/api/v1/staff/item-register``,
#22): import, add, find, scan, count, move, export. The institution comes from
the token."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from edu_contracts import labels
from edu_contracts.documents import Language
from edu_contracts.http import Page
from edu_contracts.items import (
    ImportOutcome,
    ItemChangeView,
    ItemImport,
    ItemMove,
    ItemMoveRequest,
    ItemState,
    ItemView,
    NewItem,
    StockLine,
    StockView,
)
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_runtime.auth import staff_only
from edu_runtime.http import correlation_id
from edu_runtime.projection import project
from edu_runtime.riga import today_in_latvia
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from edu_applications.adapters.dependencies import Me, Paging, Register, Req
from edu_applications.adapters.exports import to_csv
from edu_applications.adapters.items_import import HEADERS
from edu_applications.adapters.responses import CSV, download, page_of
from edu_applications.domain.items import Item, ItemDetails, Stock

EXPORT_LIMIT = 20_000
LV = Language.LV

# The export's columns are the import's (Latvian headers), so a school can
# export, edit and import into another register; then the state.
EXPORT_HEADERS = (
    *(names[0].capitalize() for names in HEADERS.values()),
    "Statuss",
    "Versija",
)


def item_view(item: Item, *, history: bool = True) -> ItemView:
    return project(
        ItemView,
        item,
        history=tuple(ItemChangeView(**c.model_dump()) for c in item.history) if history else (),
    )


def export_rows(items: list[Item]) -> list[tuple[str, ...]]:
    return [
        (
            labels.RESOURCE_TYPE[i.resource_type][LV],
            i.model,
            i.inventory_number,
            i.serial_number,
            labels.TARGET_GROUP[i.target_group][LV],
            i.funding_note,
            labels.ITEM_CONDITION[i.condition][LV],
            labels.ITEM_STATE[i.state][LV],
            str(i.version),
        )
        for i in items
    ]


def stock_line(stock: Stock) -> StockLine:
    n = stock.counts.get
    return StockLine(
        resource_type=stock.key.resource_type,
        target_group=stock.key.target_group,
        available=n(ItemState.AVAILABLE, 0),
        reserved=n(ItemState.RESERVED, 0),
        issued=n(ItemState.ISSUED, 0),
        in_repair=n(ItemState.IN_REPAIR, 0),
        lost=n(ItemState.LOST, 0),
        stolen=n(ItemState.STOLEN, 0),
        written_off=n(ItemState.WRITTEN_OFF, 0),
        awaiting=stock.awaiting,
        free=stock.free,
    )


TextQuery = Annotated[
    str,
    QueryParameter(
        name="q",
        max_length=80,
        description="The start of an inventory or serial number, or part of a model.",
    ),
]
StatesQuery = Annotated[
    list[ItemState] | None, QueryParameter(name="state", description="One or more states.")
]
TypeQuery = Annotated[LendingResourceType | None, QueryParameter(name="resource_type")]
GroupQuery = Annotated[ResourceTargetGroup | None, QueryParameter(name="target_group")]


class StaffItemRegisterController(Controller):
    path = "/api/v1/staff/item-register"
    guards = [staff_only]
    tags = ["item register (staff)"]

    @get("/items")
    async def items(
        self,
        identity: Me,
        register: Register,
        page: Paging,
        text: TextQuery = "",
        states: StatesQuery = None,
        resource_type: TypeQuery = None,
        target_group: GroupQuery = None,
    ) -> Page[ItemView]:
        """Your institution's items by inventory number (history left out; ask
        for one item to see it)."""
        found = await register.search(
            identity,
            text=text,
            states=states or (),
            resource_type=resource_type,
            target_group=target_group,
            limit=page.limit,
            offset=page.offset,
        )
        return page_of((item_view(i, history=False) for i in found.items), found.total, page)

    @post(
        "/items",
        status_code=201,
        opt={"errors": {409: "number_registered: the inventory or serial number is taken."}},
    )
    async def add(
        self, request: Req, data: JSONBody[NewItem], identity: Me, register: Register
    ) -> ItemView:
        """Register one item. 409 ``number_registered`` if its inventory number
        (in your institution) or serial number is registered already."""
        details = ItemDetails.model_validate(data.model_dump())
        return item_view(await register.add(identity, details, correlation_id(request)))

    @get("/items/{item_id:uuid}")
    async def item(self, item_id: FromPath[UUID], identity: Me, register: Register) -> ItemView:
        """One item with its whole history (oldest first)."""
        return item_view(await register.get(identity, item_id))

    @get("/scan", opt={"errors": {404: "item_not_found: no item of yours has that number."}})
    async def scan(
        self,
        identity: Me,
        register: Register,
        number: Annotated[str, QueryParameter(name="number", min_length=1, max_length=80)],
    ) -> ItemView:
        """The item with this inventory or serial number: what a barcode
        scanner types."""
        return item_view(await register.scan(identity, number))

    @post("/items/{item_id:uuid}/moves", status_code=200)
    async def move(
        self,
        request: Req,
        item_id: FromPath[UUID],
        data: JSONBody[ItemMoveRequest],
        identity: Me,
        register: Register,
    ) -> ItemView:
        """Repaired, found, or written off, over the version you saw (409
        ``stale_version`` otherwise; 409 ``item_move_not_allowed`` when the
        item's state does not allow the move)."""
        moved = await register.move(
            identity,
            item_id,
            data.version,
            ItemMove(data.move.value),
            data.why,
            correlation_id(request),
        )
        return item_view(moved)

    @post("/imports", status_code=200)
    async def import_items(
        self, request: Req, data: JSONBody[ItemImport], identity: Me, register: Register
    ) -> ImportOutcome:
        """Register every item of a spreadsheet, or none: then ``problems``
        lists every bad row with its line and reason."""
        return await register.import_items(
            identity, data.filename, data.data(), correlation_id(request)
        )

    @get("/stock")
    async def stock(self, identity: Me, register: Register) -> StockView:
        """How many items of each type and target group are in each state: counted, not
        typed; ``awaiting``: granted applications still waiting for an item; ``free``:
        available - awaiting (never below 0), what a bulk grant may still grant."""
        return StockView(lines=tuple(stock_line(s) for s in await register.stock(identity)))

    @get("/export.csv", media_type=CSV)
    async def export_csv(self, identity: Me, register: Register) -> Response[bytes]:
        found = await register.search(identity, limit=EXPORT_LIMIT)
        rows = export_rows(found.items)
        stamp = today_in_latvia().isoformat()
        return download(to_csv(EXPORT_HEADERS, rows), CSV, f"inventars-{stamp}.csv")
