"""How a changed application is stored: together with the events it causes
(one unit of work), and together with the changes of concurrent requests
(group commit: under load one transaction carries many submissions).

The two conflicts storage can find are refused here, in one place each: a
change based on a version that is no longer current (``stale_version``), and
a second open application of a learner for a resource type
(``open_application_exists``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from edu_contracts.envelope import Envelope
from edu_runtime.group_commit import GroupCommit
from edu_runtime.mongo import StaleVersion
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork
from opentelemetry import context as otel_context
from opentelemetry.context import Context

from edu_applications.adapters.items_store import ItemStore
from edu_applications.adapters.store import ApplicationStore, SlotTaken
from edu_applications.domain.errors import Conflict
from edu_applications.domain.items import Item
from edu_applications.domain.model import Application


@dataclass(frozen=True)
class Change:
    """One request's change of an application and the events it causes."""

    before: Application | None
    after: Application
    take_slot: bool
    events: Sequence[Envelope]
    trace: Context  # the request's: its events continue its trace
    # The register's items the change moves, each saved over the version it
    # was read at (``item_taken`` otherwise): reserved, issued, taken back.
    items: Sequence[tuple[int, Item]] = ()


class ItemMovedMeanwhile(Exception):
    """An item changed between its read and the application's commit."""


def stale_version(current_version: int | None = None) -> Conflict:
    extra = {} if current_version is None else {"current_version": current_version}
    return Conflict(
        "stale_version", "The application changed meanwhile; reload it and try again.", **extra
    )


def item_taken() -> Conflict:
    return Conflict(
        "item_taken",
        "Someone reserved or moved this item meanwhile; choose another one.",
    )


def open_application_exists(holder: str) -> Conflict:
    return Conflict(
        "open_application_exists",
        "This learner already has an open application for this resource type.",
        application_id=holder,
    )


class ApplicationCommits:
    def __init__(
        self,
        store: ApplicationStore,
        units: UnitsOfWork,
        items: ItemStore,
        *,
        observe_batch: Callable[[int], None] | None = None,  # metrics: each flush's size
    ) -> None:
        self._store = store
        self._units = units
        self._items = items
        self._group = GroupCommit(self._write, observe=observe_batch)

    async def save(
        self,
        before: Application | None,
        after: Application,
        events: Sequence[Envelope],
        *,
        take_slot: bool = False,
        check_slot: bool = False,
        items: Sequence[tuple[int, Item]] = (),
    ) -> Application:
        """Store ``after`` (replacing ``before``) and ``events`` as one unit of
        work, shared with concurrent requests. ``take_slot``: the application
        opens its learner's slot for its resource type (submission);
        ``check_slot``: refuse early if another application holds it."""
        change = Change(before, after, take_slot, events, otel_context.get_current(), items)
        try:
            if check_slot and after.open_slot:
                holder = await self._store.holder_of(after.open_slot)
                if holder and holder != str(after.id):
                    raise SlotTaken(holder)
            await self._group.write(change)
        except StaleVersion:
            raise stale_version() from None
        except SlotTaken as taken:
            raise open_application_exists(taken.application_id) from None
        except ItemMovedMeanwhile:
            raise item_taken() from None
        return after

    async def _write(self, changes: Sequence[Change]) -> None:
        async def write(uow: UnitOfWork) -> None:
            await self._store.apply(
                [(c.before, c.after, c.take_slot) for c in changes], uow.session
            )
            for c in changes:
                for version, item in c.items:
                    try:
                        await self._items.save(version, item, uow.session)
                    except StaleVersion:
                        raise ItemMovedMeanwhile(str(item.item_id)) from None
                uow.emit(*c.events, context=c.trace)

        await self._units.run(write)
