"""Use cases of a stocktake (inventarizācija): start one (one open at a time),
mark items seen by their number (scanned or typed; concurrent scanners all
count), finish it; read one with its report, list them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

from edu_runtime.auth import Identity
from edu_runtime.errors import ApiError
from edu_runtime.mongo import StaleVersion
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_applications.adapters.items_store import ItemStore
from edu_applications.adapters.stocktake_store import StocktakeOpen, StocktakeStore
from edu_applications.domain.stocktake import Stocktake
from edu_applications.lending_settings import STAFF_FALLBACK_NAME
from edu_applications.service.items import item_by_number
from edu_applications.staff import found, institution_of, utc_now

# Marking seen is commutative: a scan that lost a race to another is read
# again and applied again, this many times before the scanner is told.
SEEN_ATTEMPTS = 8


@dataclass(eq=False)
class Stocktakes:
    runtime: ServiceRuntime
    store: StocktakeStore
    items: ItemStore
    clock: Callable[[], dt.datetime] = utc_now

    async def start(self, identity: Identity) -> Stocktake:
        """409 ``stocktake_open`` (``extra.stocktake_id``) if one is open."""
        institution_id = institution_of(identity)

        async def save(uow: UnitOfWork) -> Stocktake:
            items = await self.items.all_of(institution_id, uow.session)
            stocktake = Stocktake.start(
                uuid4(), institution_id, items, at=self.clock(), by=_name(identity)
            )
            await self.store.add(stocktake, uow.session)
            return stocktake

        try:
            return await self.runtime.unit_of_work(save)
        except StocktakeOpen:
            current = await self.store.open_of(institution_id)
            raise ApiError(
                409,
                "stocktake_open",
                "A stocktake is open; finish it before starting another.",
                {"stocktake_id": str(current.stocktake_id) if current else None},
            ) from None

    async def get(self, identity: Identity, stocktake_id: UUID) -> Stocktake:
        institution_id = institution_of(identity)
        return found(
            await self.store.get(institution_id, stocktake_id),
            "stocktake_not_found",
            "Your institution has no such stocktake.",
        )

    async def list(
        self, identity: Identity, *, limit: int, offset: int
    ) -> tuple[list[Stocktake], int]:
        institution_id = institution_of(identity)
        return await self.store.of_institution(institution_id, limit=limit, offset=offset)

    async def mark_seen(self, identity: Identity, stocktake_id: UUID, number: str) -> Stocktake:
        """404 ``item_not_found`` for a number the register does not know;
        409 ``item_not_expected`` for an item that should not be on the shelf
        (with a learner, written off), ``stocktake_finished`` after the end."""
        institution_id = institution_of(identity)
        item = await item_by_number(self.items, institution_id, number)
        for _ in range(SEEN_ATTEMPTS):
            before = await self.get(identity, stocktake_id)
            after = before.mark_seen(item, at=self.clock(), by=_name(identity))
            if after is before:
                return before

            async def save(
                uow: UnitOfWork, before: Stocktake = before, after: Stocktake = after
            ) -> None:
                await self.store.save(before.version, after, uow.session)

            try:
                await self.runtime.unit_of_work(save)
            except StaleVersion:
                continue
            return after
        raise ApiError(409, "stale_version", "Many scans at once; scan the item again.")

    async def finish(self, identity: Identity, stocktake_id: UUID, version: int) -> Stocktake:
        before = await self.get(identity, stocktake_id)
        if before.version != version:
            raise ApiError(
                409, "stale_version", "Items were marked seen meanwhile; look at the report again."
            )
        after = before.finish(at=self.clock(), by=_name(identity))

        async def save(uow: UnitOfWork) -> None:
            await self.store.save(before.version, after, uow.session)

        try:
            await self.runtime.unit_of_work(save)
        except StaleVersion:
            raise ApiError(
                409, "stale_version", "Items were marked seen meanwhile; look at the report again."
            ) from None
        return after


def _name(identity: Identity) -> str:
    return identity.full_name or STAFF_FALLBACK_NAME
