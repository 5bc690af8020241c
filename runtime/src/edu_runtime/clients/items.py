"""The applications service's item register API for staff
(``/api/v1/staff/item-register/...``, #22): find, scan, add, import, move and
count items, export the register, and the stocktakes. The institution comes
from the caller's staff token."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from uuid import UUID

import httpx
from edu_contracts.http import Page
from edu_contracts.items import (
    ImportOutcome,
    ItemImport,
    ItemMoveRequest,
    ItemState,
    ItemView,
    NewItem,
    Sighting,
    StocktakeFinish,
    StocktakeView,
    StockView,
)
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from pydantic import BaseModel

from edu_runtime.service_client import ServiceClient

API = "/api/v1/staff/item-register"


class ItemSearch(BaseModel):
    """Which items a list shows: by number or model, state, type and target group."""

    text: str = ""
    states: tuple[ItemState, ...] = ()
    resource_type: LendingResourceType | None = None
    target_group: ResourceTargetGroup | None = None

    def params(self) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {}
        if self.text:
            params["q"] = self.text
        if self.states:
            params["state"] = [s.value for s in self.states]
        if self.resource_type:
            params["resource_type"] = self.resource_type.value
        if self.target_group:
            params["target_group"] = self.target_group.value
        return params


class ItemRegisterClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    # --- items ---------------------------------------------------------------------------
    async def items(self, search: ItemSearch, *, limit: int, offset: int) -> Page[ItemView]:
        return await self.service.read(
            "GET",
            f"{API}/items",
            Page[ItemView],
            params={**search.params(), "limit": limit, "offset": offset},
        )

    async def item(self, item_id: UUID) -> ItemView | None:
        """One item with its whole history; None if the institution has no such item."""
        return await self.service.read_or_none("GET", f"{API}/items/{item_id}", ItemView)

    async def scan(self, number: str) -> ItemView | None:
        """The item with this inventory or serial number, as a scanner types it."""
        return await self.service.read_or_none(
            "GET", f"{API}/scan", ItemView, params={"number": number}
        )

    async def add(self, item: NewItem) -> ItemView:
        """409 ``number_registered`` when its inventory or serial number is taken."""
        return await self.service.read("POST", f"{API}/items", ItemView, body=item)

    async def move(self, item_id: UUID, move: ItemMoveRequest) -> ItemView:
        return await self.service.read("POST", f"{API}/items/{item_id}/moves", ItemView, body=move)

    async def import_items(self, spreadsheet: ItemImport) -> ImportOutcome:
        """All or nothing: the problems of every bad row, or every row registered."""
        return await self.service.read("POST", f"{API}/imports", ImportOutcome, body=spreadsheet)

    async def stock(self) -> StockView:
        return await self.service.read("GET", f"{API}/stock", StockView)

    def export_csv(self) -> AbstractAsyncContextManager[httpx.Response]:
        return self.service.download(f"{API}/export.csv")

    # --- stocktakes ------------------------------------------------------------------------
    async def stocktakes(self, *, limit: int, offset: int) -> Page[StocktakeView]:
        return await self.service.read(
            "GET",
            f"{API}/stocktakes/",
            Page[StocktakeView],
            params={"limit": limit, "offset": offset},
        )

    async def start_stocktake(self) -> StocktakeView:
        """409 ``stocktake_open`` (its id in ``extra.stocktake_id``) while one is open."""
        return await self.service.read("POST", f"{API}/stocktakes/", StocktakeView)

    async def stocktake(self, stocktake_id: UUID) -> StocktakeView | None:
        return await self.service.read_or_none(
            "GET", f"{API}/stocktakes/{stocktake_id}", StocktakeView
        )

    async def mark_seen(self, stocktake_id: UUID, number: str) -> StocktakeView:
        return await self.service.read(
            "POST",
            f"{API}/stocktakes/{stocktake_id}/seen",
            StocktakeView,
            body=Sighting(number=number),
        )

    async def finish_stocktake(self, stocktake_id: UUID, version: int) -> StocktakeView:
        return await self.service.read(
            "POST",
            f"{API}/stocktakes/{stocktake_id}/finish",
            StocktakeView,
            body=StocktakeFinish(version=version),
        )
