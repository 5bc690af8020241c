"""Staff HTTP API of stocktakes (``/api/v1/staff/item-register/stocktakes``,
#22): start one, mark items seen by number, finish, read the report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from edu_contracts.http import Page
from edu_contracts.items import Sighting, StocktakeFinish, StocktakeItem, StocktakeView
from edu_runtime.auth import staff_only
from edu_runtime.projection import project
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from edu_applications.adapters.dependencies import Me, Paging, Takes
from edu_applications.adapters.responses import page_of
from edu_applications.domain.stocktake import Stocktake


def stocktake_view(stocktake: Stocktake, *, items: bool = True) -> StocktakeView:
    seen = {s.item_id: s for s in stocktake.seen}

    def row(e: Any) -> StocktakeItem:
        s = seen.get(e.item_id)
        return StocktakeItem(
            **e.model_dump(), seen_at=s.at if s else None, seen_by=s.by if s else None
        )

    return project(
        StocktakeView,
        stocktake,
        expected=len(stocktake.expected),
        seen=len(seen),
        not_seen=tuple(row(e) for e in stocktake.not_seen) if items else (),
        items=tuple(row(e) for e in stocktake.expected) if items else (),
    )


class StaffStocktakeController(Controller):
    path = "/api/v1/staff/item-register/stocktakes"
    guards = [staff_only]
    tags = ["item register (staff)"]

    @get("/")
    async def stocktakes(
        self, identity: Me, stocktakes: Takes, page: Paging
    ) -> Page[StocktakeView]:
        """Your institution's stocktakes, newest first (counts only; ask for one for its report)."""
        found, total = await stocktakes.list(identity, limit=page.limit, offset=page.offset)
        return page_of((stocktake_view(s, items=False) for s in found), total, page)

    @post(
        "/",
        status_code=201,
        opt={"errors": {409: "stocktake_open: finish the open one first (extra.stocktake_id)."}},
    )
    async def start(self, identity: Me, stocktakes: Takes) -> StocktakeView:
        """Start a stocktake of every item that should be on the premises
        (available, reserved, in repair)."""
        return stocktake_view(await stocktakes.start(identity))

    @get("/{stocktake_id:uuid}")
    async def stocktake(
        self, stocktake_id: FromPath[UUID], identity: Me, stocktakes: Takes
    ) -> StocktakeView:
        """The stocktake's report: every expected item, seen (when, by whom) or not."""
        return stocktake_view(await stocktakes.get(identity, stocktake_id))

    @post(
        "/{stocktake_id:uuid}/seen",
        status_code=200,
        opt={
            "errors": {
                409: "item_not_expected: the item is with a learner or written off; "
                "stocktake_finished."
            }
        },
    )
    async def seen(
        self,
        stocktake_id: FromPath[UUID],
        data: JSONBody[Sighting],
        identity: Me,
        stocktakes: Takes,
    ) -> StocktakeView:
        """An item seen, by its inventory or serial number (a second scan changes nothing)."""
        return stocktake_view(await stocktakes.mark_seen(identity, stocktake_id, data.number))

    @post("/{stocktake_id:uuid}/finish", status_code=200)
    async def finish(
        self,
        stocktake_id: FromPath[UUID],
        data: JSONBody[StocktakeFinish],
        identity: Me,
        stocktakes: Takes,
    ) -> StocktakeView:
        """Finish over the version you looked at: the items not seen are the report."""
        return stocktake_view(await stocktakes.finish(identity, stocktake_id, data.version))
