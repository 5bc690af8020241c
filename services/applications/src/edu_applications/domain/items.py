"""The school's item register (issue #22), I/O-free: every laptop and tablet
an institution lends, its state, and its whole history.

Owned by applications (ARCHITECTURE.md, "The item register"): an item is
reserved in the same transaction that marks an application ready for issue,
and put back in the one that records its return, so an item is never issued
twice and the stock never disagrees with the applications.

An item moves only along ``MOVES``; every move is a ``ItemChange`` naming who,
when, why and (for the lending moves) which application."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from uuid import UUID

from edu_contracts.applications import ReturnCondition
from edu_contracts.items import ItemCondition, ItemMove, ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from pydantic import BaseModel, ConfigDict, Field

from edu_applications.domain.errors import Conflict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# move → (the states it may start from, the state it leaves the item in)
MOVES: dict[ItemMove, tuple[frozenset[ItemState], ItemState]] = {
    ItemMove.RESERVE: (frozenset({ItemState.AVAILABLE}), ItemState.RESERVED),
    ItemMove.RELEASE: (frozenset({ItemState.RESERVED}), ItemState.AVAILABLE),
    ItemMove.ISSUE: (frozenset({ItemState.RESERVED}), ItemState.ISSUED),
    ItemMove.RETURN: (frozenset({ItemState.ISSUED}), ItemState.AVAILABLE),
    ItemMove.RETURN_DAMAGED: (frozenset({ItemState.ISSUED}), ItemState.IN_REPAIR),
    ItemMove.REPAIRED: (frozenset({ItemState.IN_REPAIR}), ItemState.AVAILABLE),
    ItemMove.MARK_LOST: (frozenset({ItemState.ISSUED}), ItemState.LOST),
    ItemMove.MARK_STOLEN: (frozenset({ItemState.ISSUED}), ItemState.STOLEN),
    ItemMove.FOUND: (frozenset({ItemState.LOST, ItemState.STOLEN}), ItemState.IN_REPAIR),
    ItemMove.WRITE_OFF: (
        frozenset({ItemState.AVAILABLE, ItemState.IN_REPAIR, ItemState.LOST, ItemState.STOLEN}),
        ItemState.WRITTEN_OFF,
    ),
}

# The moves that tie an item to an application; the others are the school's own.
LENDING_MOVES = frozenset(
    {
        ItemMove.RESERVE,
        ItemMove.RELEASE,
        ItemMove.ISSUE,
        ItemMove.RETURN,
        ItemMove.RETURN_DAMAGED,
        ItemMove.MARK_LOST,
        ItemMove.MARK_STOLEN,
    }
)

# How a return recorded on the application moves its item.
RETURN_MOVES: dict[ReturnCondition, ItemMove] = {
    ReturnCondition.GOOD: ItemMove.RETURN,
    ReturnCondition.DAMAGED: ItemMove.RETURN_DAMAGED,
    ReturnCondition.INCOMPLETE: ItemMove.RETURN_DAMAGED,
    ReturnCondition.LOST: ItemMove.MARK_LOST,
    ReturnCondition.STOLEN: ItemMove.MARK_STOLEN,
}


class ItemMoveRefused(Conflict):
    """The item is not in a state this move starts from (or the move needs an
    application it was not given)."""

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__("item_move_not_allowed", message, **extra)


class ItemChange(Frozen):
    at: dt.datetime
    by: str  # a name, as in the applications' history
    move: ItemMove
    state_before: ItemState | None  # None for the registration
    state_after: ItemState
    why: str = ""
    application_id: UUID | None = None


class ItemDetails(Frozen):
    """What the school registers about an item (an import row, or a form)."""

    resource_type: LendingResourceType
    model: str = Field(min_length=1, max_length=120)
    inventory_number: str = Field(min_length=1, max_length=40)  # unique in the institution
    serial_number: str = Field(min_length=1, max_length=80)  # unique
    target_group: ResourceTargetGroup
    funding_note: str = Field(default="", max_length=200)
    condition: ItemCondition = ItemCondition.NEW


class Item(ItemDetails):
    item_id: UUID
    institution_id: str
    state: ItemState
    version: int
    application_id: UUID | None = None  # while reserved or issued (or lost by a learner)
    history: tuple[ItemChange, ...]

    @classmethod
    def register(
        cls,
        item_id: UUID,
        institution_id: str,
        details: ItemDetails,
        *,
        at: dt.datetime,
        by: str,
        why: str = "",
    ) -> Item:
        first = ItemChange(
            at=at,
            by=by,
            move=ItemMove.REGISTER,
            state_before=None,
            state_after=ItemState.AVAILABLE,
            why=why,
        )
        return cls(
            item_id=item_id,
            institution_id=institution_id,
            state=ItemState.AVAILABLE,
            version=1,
            history=(first,),
            **details.model_dump(),
        )

    def move(
        self,
        move: ItemMove,
        *,
        at: dt.datetime,
        by: str,
        why: str = "",
        application_id: UUID | None = None,
    ) -> Item:
        """The item after ``move``; ``ItemMoveRefused`` if it cannot make it now."""
        if move is ItemMove.REGISTER:
            raise ItemMoveRefused("An item is registered once.")
        starts, ends = MOVES[move]
        if self.state not in starts:
            raise ItemMoveRefused(
                f"A {self.state.value} item cannot be moved by {move.value}.",
                state=self.state.value,
                move=move.value,
            )
        if move in LENDING_MOVES and move is not ItemMove.RESERVE:
            if application_id is not None and application_id != self.application_id:
                raise ItemMoveRefused("The item is lent under another application.")
            application_id = self.application_id
        if move is ItemMove.RESERVE and application_id is None:
            raise ItemMoveRefused("An item is reserved for an application.")
        change = ItemChange(
            at=at,
            by=by,
            move=move,
            state_before=self.state,
            state_after=ends,
            why=why,
            application_id=application_id,
        )
        keeps_link = ends in (
            ItemState.RESERVED,
            ItemState.ISSUED,
            ItemState.LOST,
            ItemState.STOLEN,
        )
        condition = ItemCondition.DAMAGED if move is ItemMove.RETURN_DAMAGED else self.condition
        if move is ItemMove.REPAIRED:
            condition = ItemCondition.GOOD
        if move is ItemMove.ISSUE and condition is ItemCondition.NEW:
            condition = ItemCondition.GOOD  # used from now on
        return self.model_copy(
            update={
                "state": ends,
                "condition": condition,
                "version": self.version + 1,
                "application_id": application_id if keeps_link else None,
                "history": (*self.history, change),
            }
        )

    def forget_learner(self, application_id: UUID) -> Item:
        """Retention: the application is deleted, so is every link to it; the
        item's history stays (the register needs it) with the moves anonymous:
        no application id, and no ``why`` (a lending move's is the application's
        reference)."""
        history = tuple(
            c.model_copy(update={"application_id": None, "why": ""})
            if c.application_id == application_id
            else c
            for c in self.history
        )
        link = None if self.application_id == application_id else self.application_id
        return self.model_copy(update={"history": history, "application_id": link})


class StockKey(Frozen):
    resource_type: LendingResourceType
    target_group: ResourceTargetGroup

    @property
    def code(self) -> str:
        """One string for the pair (what a database groups on)."""
        return f"{self.resource_type.value}/{self.target_group.value}"

    @classmethod
    def from_code(cls, code: str) -> StockKey:
        resource_type, _, target_group = code.partition("/")
        return cls(
            resource_type=LendingResourceType(resource_type),
            target_group=ResourceTargetGroup(target_group),
        )


class Stock(Frozen):
    """Items of one type and target group, counted per state, and what is
    promised of them: ``awaiting`` granted applications with no item yet."""

    key: StockKey
    counts: dict[ItemState, int]
    awaiting: int = 0

    @property
    def available(self) -> int:
        return self.counts.get(ItemState.AVAILABLE, 0)

    @property
    def free(self) -> int:
        """Available and not promised: what may still be granted (never below 0)."""
        return max(0, self.available - self.awaiting)


def stock_key_of(resource_type: str, target_group: ResourceTargetGroup) -> StockKey | None:
    """The stock an application of this resource draws on; ``None`` for a
    resource type the register does not hold."""
    try:
        kind = LendingResourceType(resource_type)
    except ValueError:
        return None
    return StockKey(resource_type=kind, target_group=target_group)


def count_stock(
    items: Iterable[tuple[StockKey, ItemState]], awaiting: Mapping[StockKey, int] | None = None
) -> list[Stock]:
    """Counted, never typed: one ``Stock`` per (type, target group) that has
    items or granted applications awaiting one (``awaiting``: how many
    applications per key)."""
    per_key: dict[StockKey, Counter[ItemState]] = {}
    for key, state in items:
        per_key.setdefault(key, Counter())[state] += 1
    promised = Counter(awaiting or {})
    for key in promised:
        per_key.setdefault(key, Counter())
    return [
        Stock(key=key, counts=dict(counts), awaiting=promised[key])
        for key, counts in sorted(
            per_key.items(), key=lambda kv: (kv[0].resource_type, kv[0].target_group.value)
        )
    ]


class OutOfStock(Conflict):
    """No free item of the application's type and target group is left to grant."""

    REASON = "out_of_stock"

    def __init__(self, key: StockKey) -> None:
        super().__init__(
            self.REASON,
            "No free item of this type and target group is left to grant.",
            resource_type=key.resource_type.value,
            target_group=key.target_group.value,
        )


class GrantBudget:
    """How many more applications a bulk grant may grant per (type, target
    group): each line's ``free`` at the start, one taken per grant."""

    def __init__(self, stock: Iterable[Stock]) -> None:
        self._left = {s.key: s.free for s in stock}

    def left(self, key: StockKey) -> int:
        return self._left.get(key, 0)

    def take(self, key: StockKey | None) -> None:
        """One item of ``key`` promised; ``OutOfStock`` if none is free.

        ``None`` (an application without a resource, or of a type the register
        does not hold) is not limited: a submitted application always has a
        resource (wizard step 4), and an item the register cannot hold can
        never be counted, so refusing it would block its grant for good."""
        if key is None:
            return
        if self.left(key) <= 0:
            raise OutOfStock(key)
        self._left[key] -= 1

    def give_back(self, key: StockKey | None) -> None:
        """The grant ``take`` was for did not happen."""
        if key is not None and key in self._left:
            self._left[key] += 1
