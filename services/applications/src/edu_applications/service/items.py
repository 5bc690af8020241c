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
from uuid import UUID, uuid4

from edu_contracts.items import (
    ImportOutcome,
    ImportProblem,
    ItemChanged,
    ItemChangePayload,
    ItemMove,
    ItemState,
)
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity
from edu_runtime.errors import ApiError
from edu_runtime.mongo import StaleVersion
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_applications.adapters.items_import import ImportRefused, RowProblem, read_items
from edu_applications.adapters.items_store import ItemStore, NumberTaken, number_key
from edu_applications.domain.items import (
    LENDING_MOVES,
    Item,
    ItemDetails,
    ItemMoveRefused,
    Stock,
    count_stock,
)
from edu_applications.lending_settings import STAFF_FALLBACK_NAME, LendingSettingsService

# The moves staff make on the register's own pages.
SCHOOL_MOVES = frozenset({ItemMove.REPAIRED, ItemMove.FOUND, ItemMove.WRITE_OFF})


def changed_event(item: Item, correlation_id: str) -> ItemChanged:
    last = item.history[-1]
    return ItemChanged(
        producer=ServiceName.APPLICATIONS,
        correlation_id=correlation_id,
        payload=ItemChangePayload(
            item_id=item.item_id,
            institution_id=item.institution_id,
            resource_type=item.resource_type,
            target_group=item.target_group,
            inventory_number=item.inventory_number,
            move=last.move,
            state_before=last.state_before,
            state_after=last.state_after,
            version=item.version,
            at=last.at,
            by=last.by,
            why=last.why,
            application_id=last.application_id,
        ),
    )


@dataclass(frozen=True)
class Found:
    items: list[Item]
    total: int


class ItemRegister:
    def __init__(
        self,
        runtime: ServiceRuntime,
        store: ItemStore,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.clock = clock

    async def import_items(
        self, identity: Identity, filename: str, content: bytes, correlation_id: str
    ) -> ImportOutcome:
        """Every row registered, or none and every problem (line, reason)."""
        institution_id = LendingSettingsService.institution_of(identity)
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
        institution_id = LendingSettingsService.institution_of(identity)
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
        institution_id = LendingSettingsService.institution_of(identity)
        item = await self.store.get(institution_id, item_id)
        if item is None:
            raise ApiError(404, "item_not_found", "Your institution has no such item.")
        return item

    async def scan(self, identity: Identity, number: str) -> Item:
        """The item with this inventory or serial number (a barcode scanner's input)."""
        institution_id = LendingSettingsService.institution_of(identity)
        item = await self.store.by_number(institution_id, number)
        if item is None:
            raise ApiError(404, "item_not_found", "Your institution has no item with that number.")
        return item

    async def search(
        self,
        identity: Identity,
        *,
        text: str,
        states: Sequence[ItemState],
        resource_type: LendingResourceType | None,
        target_group: ResourceTargetGroup | None,
        limit: int,
        offset: int,
    ) -> Found:
        institution_id = LendingSettingsService.institution_of(identity)
        items, total = await self.store.search(
            institution_id,
            text=text,
            states=states,
            resource_type=resource_type,
            target_group=target_group,
            limit=limit,
            offset=offset,
        )
        return Found(items, total)

    async def stock(self, identity: Identity) -> list[Stock]:
        institution_id = LendingSettingsService.institution_of(identity)
        return count_stock(await self.store.stock_keys(institution_id))

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
        institution_id = LendingSettingsService.institution_of(identity)
        at, by = self.clock(), _name(identity)

        async def save(uow: UnitOfWork) -> Item:
            before = await self.store.get(institution_id, item_id, uow.session)
            if before is None:
                raise ApiError(404, "item_not_found", "Your institution has no such item.")
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
