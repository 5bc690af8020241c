"""Use cases of the school's item register (#22): import a spreadsheet (all or
nothing), add one item, find items, count the stock, move an item the
school's own way (repaired, found, written off). The lending moves (reserve,
issue, return, loss) belong to the application's workflow.

Staff act on their own institution only: it comes from the token, never from
the request. Every change is saved with its ``item.changed.v1`` events in one
transaction (the outbox)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Unpack
from uuid import UUID, uuid4

from edu_contracts.items import (
    ImportOutcome,
    ImportProblem,
    ItemChanged,
    ItemChangePayload,
    ItemMove,
)
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity
from edu_runtime.errors import ApiError
from edu_runtime.mongo import StaleVersion
from edu_runtime.projection import project
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_applications.adapters.inbox_store import InboxStore
from edu_applications.adapters.items_import import ImportRefused, RowProblem, read_items
from edu_applications.adapters.items_store import ItemFilters, ItemStore, NumberTaken, number_key
from edu_applications.domain.items import (
    LENDING_MOVES,
    Item,
    ItemDetails,
    ItemMoveRefused,
    Stock,
    count_stock,
)
from edu_applications.lending_settings import STAFF_FALLBACK_NAME
from edu_applications.staff import found, institution_of, utc_now

# The moves staff make on the register's own pages.
SCHOOL_MOVES = frozenset({ItemMove.REPAIRED, ItemMove.FOUND, ItemMove.WRITE_OFF})


def changed_event(item: Item, correlation_id: str) -> ItemChanged:
    last = item.history[-1]
    return ItemChanged(
        producer=ServiceName.APPLICATIONS,
        correlation_id=correlation_id,
        payload=project(ItemChangePayload, last, item),
    )


NO_SUCH_ITEM = ("item_not_found", "Your institution has no such item.")


async def item_by_number(store: ItemStore, institution_id: str, number: str) -> Item:
    """The item with this inventory or serial number, or a 404."""
    return found(
        await store.by_number(institution_id, number),
        "item_not_found",
        "Your institution has no item with that number.",
    )


@dataclass(frozen=True)
class Found:
    items: list[Item]
    total: int


@dataclass(eq=False)
class ItemRegister:
    runtime: ServiceRuntime
    store: ItemStore
    inbox: InboxStore  # the granted applications the stock is promised to
    clock: Callable[[], dt.datetime] = utc_now

    async def import_items(
        self, identity: Identity, filename: str, content: bytes, correlation_id: str
    ) -> ImportOutcome:
        """Every row registered, or none and every problem (line, reason)."""
        institution_id = institution_of(identity)
        try:
            rows = read_items(content, filename)
        except ImportRefused as refused:
            return _refused(refused.problems)
        taken_inv, taken_ser = await self.store.taken_numbers(
            institution_id,
            (r.details.inventory_number for r in rows),
            (r.details.serial_number for r in rows),
        )
        problems = [
            RowProblem(r.line, f"{field}_registered", field, value)
            for r in rows
            for field, value, taken in (
                ("inventory_number", r.details.inventory_number, taken_inv),
                ("serial_number", r.details.serial_number, taken_ser),
            )
            if number_key(value) in taken
        ]
        if problems:
            return _refused(problems)
        why = f"Imported from {filename}"
        items = [self._new(institution_id, identity, r.details, why) for r in rows]
        await self._add(items, correlation_id)
        return ImportOutcome(imported=len(items))

    async def add(
        self, identity: Identity, details: ItemDetails, correlation_id: str, why: str = ""
    ) -> Item:
        """409 ``number_registered`` (``extra.field`` names which) if its
        inventory number (in the institution) or serial number is taken."""
        institution_id = institution_of(identity)
        taken_inv, taken_ser = await self.store.taken_numbers(
            institution_id, [details.inventory_number], [details.serial_number]
        )
        if taken_inv or taken_ser:
            field = "inventory_number" if taken_inv else "serial_number"
            raise ApiError(
                409,
                "number_registered",
                f"That {field.replace('_', ' ')} is registered already.",
                {"field": field},
            )
        item = self._new(institution_id, identity, details, why)
        await self._add([item], correlation_id)
        return item

    def _new(self, institution_id: str, identity: Identity, details: ItemDetails, why: str) -> Item:
        return Item.register(
            uuid4(), institution_id, details, at=self.clock(), by=_name(identity), why=why
        )

    async def _add(self, items: list[Item], correlation_id: str) -> None:
        async def save(uow: UnitOfWork) -> None:
            await self.store.add_all(items, uow.session)
            uow.emit(*(changed_event(i, correlation_id) for i in items))

        try:
            await self.runtime.unit_of_work(save)
        except NumberTaken:
            # Someone registered one of these numbers since we looked.
            raise ApiError(
                409,
                "number_registered",
                "An inventory or serial number was registered meanwhile; try again.",
            ) from None

    async def get(self, identity: Identity, item_id: UUID) -> Item:
        institution_id = institution_of(identity)
        return found(await self.store.get(institution_id, item_id), *NO_SUCH_ITEM)

    async def scan(self, identity: Identity, number: str) -> Item:
        """The item with this inventory or serial number (a barcode scanner's input)."""
        return await item_by_number(self.store, institution_of(identity), number)

    async def search(
        self,
        identity: Identity,
        **filters: Unpack[ItemFilters],
    ) -> Found:
        """A page of the institution's items (``ItemStore.search``)."""
        return Found(*await self.store.search(institution_of(identity), **filters))

    async def stock(self, identity: Identity) -> list[Stock]:
        """Items per type, target group and state, and the granted
        applications still waiting for one (``Stock.free``: what is left to grant)."""
        institution_id = institution_of(identity)
        return count_stock(
            await self.store.stock_keys(institution_id),
            await self.inbox.awaiting_items(institution_id),
        )

    async def move(
        self,
        identity: Identity,
        item_id: UUID,
        version: int,
        move: ItemMove,
        why: str,
        correlation_id: str,
    ) -> Item:
        """A school's own move, made only over ``version``: 409 ``stale_version``
        if someone moved the item first, 409 ``item_move_not_allowed`` if its
        state does not allow it, 422 ``move_by_application`` for a lending move."""
        if move in LENDING_MOVES or move not in SCHOOL_MOVES:
            raise ApiError(
                422,
                "move_by_application",
                "Items are reserved, issued and taken back on the application's page.",
            )
        institution_id = institution_of(identity)
        at, by = self.clock(), _name(identity)

        async def save(uow: UnitOfWork) -> Item:
            before = found(
                await self.store.get(institution_id, item_id, uow.session), *NO_SUCH_ITEM
            )
            if before.version != version:
                raise StaleVersion(str(item_id))
            after = before.move(move, at=at, by=by, why=why)
            await self.store.save(version, after, uow.session)
            uow.emit(changed_event(after, correlation_id))
            return after

        try:
            return await self.runtime.unit_of_work(save)
        except StaleVersion:
            raise ApiError(
                409, "stale_version", "The item changed meanwhile; reload it and try again."
            ) from None
        except ItemMoveRefused as refused:
            raise ApiError(409, refused.reason, refused.message, refused.extra) from None


def _refused(problems: Sequence[RowProblem]) -> ImportOutcome:
    return ImportOutcome(
        imported=0,
        problems=tuple(
            ImportProblem(line=p.line, reason=p.reason, column=p.column, value=p.value)
            for p in problems
        ),
    )


def _name(identity: Identity) -> str:
    return identity.full_name or STAFF_FALLBACK_NAME
