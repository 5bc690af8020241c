"""A stocktake (inventarizācija) of a school's items, I/O-free: started with
the list of items that should be on the premises, items marked seen as staff
scan or tick them, finished with the report of those not seen.

Items with a learner (issued, lost, stolen) or written off are not expected
on the shelf; they are listed in the report as where the register says they
are, not as missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from uuid import UUID

from edu_contracts.items import ItemState, StocktakeState
from pydantic import BaseModel, ConfigDict

from edu_applications.domain.errors import Conflict
from edu_applications.domain.items import Item

ON_PREMISES = frozenset({ItemState.AVAILABLE, ItemState.RESERVED, ItemState.IN_REPAIR})


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ExpectedItem(Frozen):
    item_id: UUID
    inventory_number: str
    serial_number: str
    model: str
    state: ItemState  # when the stocktake started


class Sighting(Frozen):
    item_id: UUID
    at: dt.datetime
    by: str


class StocktakeClosed(Conflict):
    def __init__(self) -> None:
        super().__init__("stocktake_finished", "This stocktake is finished.")


class NotExpected(Conflict):
    def __init__(self, inventory_number: str, state: ItemState) -> None:
        super().__init__(
            "item_not_expected",
            f"Item {inventory_number} is not expected on the premises: it is {state.value}.",
            inventory_number=inventory_number,
            state=state.value,
        )


class Stocktake(Frozen):
    stocktake_id: UUID
    institution_id: str
    state: StocktakeState
    version: int
    started_at: dt.datetime
    started_by: str
    expected: tuple[ExpectedItem, ...]
    seen: tuple[Sighting, ...] = ()
    finished_at: dt.datetime | None = None
    finished_by: str | None = None

    @classmethod
    def start(
        cls,
        stocktake_id: UUID,
        institution_id: str,
        items: Iterable[Item],
        *,
        at: dt.datetime,
        by: str,
    ) -> Stocktake:
        expected = tuple(
            ExpectedItem(
                item_id=i.item_id,
                inventory_number=i.inventory_number,
                serial_number=i.serial_number,
                model=i.model,
                state=i.state,
            )
            for i in sorted(items, key=lambda i: i.inventory_number)
            if i.state in ON_PREMISES
        )
        return cls(
            stocktake_id=stocktake_id,
            institution_id=institution_id,
            state=StocktakeState.OPEN,
            version=1,
            started_at=at,
            started_by=by,
            expected=expected,
        )

    def mark_seen(self, item: Item, *, at: dt.datetime, by: str) -> Stocktake:
        """Seen once is enough: a second scan of the same item changes nothing."""
        if self.state is StocktakeState.FINISHED:
            raise StocktakeClosed()
        if item.item_id not in {e.item_id for e in self.expected}:
            raise NotExpected(item.inventory_number, item.state)
        if item.item_id in self.seen_ids:
            return self
        sighting = Sighting(item_id=item.item_id, at=at, by=by)
        return self.model_copy(update={"seen": (*self.seen, sighting), "version": self.version + 1})

    def finish(self, *, at: dt.datetime, by: str) -> Stocktake:
        if self.state is StocktakeState.FINISHED:
            raise StocktakeClosed()
        return self.model_copy(
            update={
                "state": StocktakeState.FINISHED,
                "finished_at": at,
                "finished_by": by,
                "version": self.version + 1,
            }
        )

    @property
    def seen_ids(self) -> set[UUID]:
        return {s.item_id for s in self.seen}

    @property
    def not_seen(self) -> tuple[ExpectedItem, ...]:
        seen = self.seen_ids
        return tuple(e for e in self.expected if e.item_id not in seen)
