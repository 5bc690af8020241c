"""Retention's repository: its MongoDB collections loaded, saved and queried.
The decisions (what a status change does to a deadline, what a hold changes,
when a purge is complete) are the service's (``edu_retention/service.py``) and
the domain's. None of the collections holds personal data: only ids, statuses,
dates, owner names and counts.

- ``tracked_applications``: the latest status seen per application (highest
  version wins, so out-of-order events cannot move it backwards)
- ``deadlines``: one aggregate per purge subject, stored whole with a version
  check; ``sweep_at_ms`` (indexed) is set only while the sweeper has work on it
- ``holds``: legal holds, keyed like deadlines; may exist before a deadline does
- ``leases``: which process is sweeping (one at a time, see ``acquire_lease``)
- ``purge_ledger``: the audit trail: one ``purge`` entry per order (dates,
  attempts, who confirmed and how many records each deleted) and one entry per
  hold placed or released
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from uuid import UUID, uuid4

from edu_contracts.applications import StatusChangedPayload
from edu_contracts.retention import (
    PurgeConfirmedPayload,
    PurgeSubjectKind,
)
from edu_runtime.mongo import Doc, StaleVersion, replace_versioned
from edu_runtime.projection import project
from pymongo import ASCENDING, InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from edu_retention.domain.model import (
    Deadline,
    DeadlineState,
    subject_key,
)
from edu_retention.domain.report import (
    HeldItem,
    MonthCount,
    PlannedOrder,
    RetentionReport,
    SweepPreview,
    UnconfirmedPurge,
)
from edu_retention.domain.rules import (
    RIGA,
)

log = logging.getLogger(__name__)


class TrackedVersion(NamedTuple):
    """What ``tracked_applications`` knows of one application."""

    version: int  # of the latest status change applied
    events_applied: int


def _tracked_doc(change: StatusChangedPayload, events_applied: int) -> Doc:
    # _id repeated in the replacement: nx-27017 does not copy it from the filter on upsert.
    return {
        "_id": str(change.application_id),
        "status": change.to_status.value,
        "version": change.version,
        "institution_id": change.institution_id,
        "changed_at": change.changed_at,
        "events_applied": events_applied,
    }


def deadline_to_doc(d: Deadline) -> Doc:
    doc: Doc = {
        "_id": d.key,
        "kind": d.kind.value,
        "subject_id": d.subject_id,
        "state": d.state.value,
        "due_at": d.due_at,
        "due_month": d.due_at.astimezone(RIGA).strftime("%Y-%m"),
        "closed_on": d.closed_on.isoformat() if d.closed_on else None,
        "closing_status": d.closing_status,
        "source_version": d.source_version,
        "held": d.held,
        "order_id": str(d.order_id) if d.order_id else None,
        "attempt": d.attempt,
        "first_ordered_at": d.first_ordered_at,
        "next_attempt_at": d.next_attempt_at,
        "confirmed": [o.value for o in d.confirmed],
        "purged_at": d.purged_at,
        "version": d.version,
    }
    # Absent (not null) when there is nothing to do, so the sweeper's range
    # query on the index never even sees settled, held or cancelled deadlines.
    if d.sweep_at is not None:
        doc["sweep_at_ms"] = sweep_key(d.sweep_at)
    return doc


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def sweep_key(instant: dt.datetime) -> int:
    """The sweeper's index key: epoch milliseconds, rounded up so that nothing
    is ever due early. An integer rather than a BSON date because the embedded
    nx-27017 evaluates range queries on dates outside its expression index (a
    full scan: 3.2 s per query on 1,000,000 deadlines, measured); on an integer
    the index is used there and on MongoDB alike."""
    return -(-((instant - _EPOCH) // _MICROSECOND) // 1000)


def now_key(instant: dt.datetime) -> int:
    return ((instant - _EPOCH) // _MICROSECOND) // 1000  # rounded down


def deadline_from_doc(doc: Doc) -> Deadline:
    data = {k: v for k, v in doc.items() if k not in {"_id", "sweep_at_ms", "due_month"}}
    return Deadline.model_validate(data)


def purge_entry_id(order_id: UUID) -> str:
    return f"purge:{order_id}"


def new_purge_entry(d: Deadline, now: dt.datetime) -> Doc:
    assert d.order_id is not None
    return {
        "_id": purge_entry_id(d.order_id),
        "entry": "purge",
        "order_id": str(d.order_id),
        "subject_kind": d.kind.value,
        "subject_id": d.subject_id,
        "closed_on": d.closed_on.isoformat() if d.closed_on else None,
        "due_at": d.due_at,
        "first_ordered_at": now,
        "last_ordered_at": now,
        "attempts": d.attempt,
        "owners": [o.value for o in d.owners],
        "confirmations": {},
        "completed_at": None,
    }


class RetentionStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.tracked = db["tracked_applications"]
        self.deadlines = db["deadlines"]
        self.holds = db["holds"]
        self.ledger = db["purge_ledger"]
        self.leases = db["leases"]

    async def ensure_indexes(self) -> None:
        await self.tracked.create_index("status")
        await self.deadlines.create_index([("sweep_at_ms", ASCENDING)])
        await self.deadlines.create_index([("state", ASCENDING), ("due_month", ASCENDING)])
        await self.ledger.create_index([("subject_id", ASCENDING)])

    # --- reads -----------------------------------------------------------
    async def get(
        self, kind: PurgeSubjectKind, subject_id: str, session: AsyncClientSession | None = None
    ) -> Deadline | None:
        doc = await self.deadlines.find_one({"_id": subject_key(kind, subject_id)}, session=session)
        return deadline_from_doc(doc) if doc else None

    async def get_many(
        self, kind: PurgeSubjectKind, subject_ids: Iterable[str], session: AsyncClientSession
    ) -> dict[str, Deadline]:
        """The deadlines of these subjects that exist, by subject id (one round trip)."""
        keys = {subject_key(kind, s): s for s in subject_ids}
        if not keys:
            return {}
        docs = await self.deadlines.find({"_id": {"$in": sorted(keys)}}, session=session).to_list()
        return {keys[doc["_id"]]: deadline_from_doc(doc) for doc in docs}

    async def is_held(self, key: str, session: AsyncClientSession) -> bool:
        return await self.holds.find_one({"_id": key}, session=session) is not None

    async def insert(self, d: Deadline, session: AsyncClientSession) -> None:
        await self.deadlines.insert_one(deadline_to_doc(d), session=session)

    async def save(self, old: Deadline, new: Deadline, session: AsyncClientSession) -> None:
        """Replace ``old`` with ``new`` unless someone changed it meanwhile
        (StaleVersion); nothing to write when nothing changed."""
        if new is not old:
            await replace_versioned(
                self.deadlines, deadline_to_doc(new), expected_version=old.version, session=session
            )

    # --- tracked applications --------------------------------------------
    async def tracked_versions(
        self, app_ids: Iterable[str], session: AsyncClientSession
    ) -> dict[str, TrackedVersion]:
        """For each of ``app_ids`` seen before: the version of its latest status
        and how many status changes were applied (one round trip)."""
        wanted = sorted(set(app_ids))
        if not wanted:
            return {}
        docs = await self.tracked.find(
            {"_id": {"$in": wanted}}, {"version": 1, "events_applied": 1}, session=session
        ).to_list()
        return {
            str(doc["_id"]): TrackedVersion(doc["version"], doc.get("events_applied", 0))
            for doc in docs
        }

    async def track_all(
        self, latest: Sequence[tuple[StatusChangedPayload, int]], session: AsyncClientSession
    ) -> None:
        """Store each application's latest status change and how many were
        applied, in one round trip."""
        docs = [_tracked_doc(change, applied) for change, applied in latest]
        if len(docs) == 1:  # PyMongo's bulk path costs more client CPU
            await self.tracked.replace_one(
                {"_id": docs[0]["_id"]}, docs[0], upsert=True, session=session
            )
        elif docs:
            await self.tracked.bulk_write(
                [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs],
                ordered=False,
                session=session,
            )

    async def forget_application(self, app_id: str, session: AsyncClientSession) -> None:
        """Once its purge is complete the application's status is no longer needed."""
        await self.tracked.delete_one({"_id": app_id}, session=session)

    # --- purge ledger ------------------------------------------------------
    async def record_confirmation(
        self,
        confirmation: PurgeConfirmedPayload,
        *,
        attempt: int,
        completed: bool,
        now: dt.datetime,
        session: AsyncClientSession,
    ) -> None:
        """One owner's confirmation in the order's ledger entry."""
        entry_id = purge_entry_id(confirmation.order_id)
        entry = await self.ledger.find_one({"_id": entry_id}, session=session)
        if entry is None:
            raise LookupError(f"ledger entry {entry_id} missing")
        entry["confirmations"] = {
            **entry.get("confirmations", {}),
            confirmation.owner.value: {
                "confirmed_at": confirmation.confirmed_at,
                "recorded_at": now,
                "attempt": attempt,
                # counts per collection; the keys are collection names, never values
                "deleted": {str(k): int(v) for k, v in confirmation.deleted.items()},
            },
        }
        if completed:
            entry["completed_at"] = now
        await self.ledger.replace_one({"_id": entry_id}, entry, session=session)

    # --- sweeper ---------------------------------------------------------
    async def acquire_lease(self, holder: str, ttl: dt.timedelta) -> bool:
        """Become the only sweeper for ``ttl`` (renewed per batch). On MongoDB
        the version checks alone keep concurrent sweeps correct; the lease
        spares them the wasted work, and it is what makes concurrent sweepers
        correct on nx-27017, whose transactions are not isolated from each other
        (measured: two concurrent sweeps lost orders that had been committed).
        A unique ``_id`` insert is atomic on both servers. Wall-clock time, not
        the injected business clock: a lease is about processes, not deadlines."""
        now = dt.datetime.now(dt.UTC)
        for _ in range(2):
            try:
                await self.leases.insert_one(
                    {"_id": "sweeper", "holder": holder, "expires_at_ms": sweep_key(now + ttl)}
                )
                return True
            except DuplicateKeyError:
                current = await self.leases.find_one({"_id": "sweeper"})
                if current is None:
                    continue
                if current["holder"] == holder:
                    return await self.renew_lease(holder, ttl)
                if current["expires_at_ms"] > now_key(now):
                    return False
                # The holder died without releasing: take over an expired lease.
                await self.leases.delete_one(
                    {
                        "_id": "sweeper",
                        "holder": current["holder"],
                        "expires_at_ms": current["expires_at_ms"],
                    }
                )
        return False

    async def renew_lease(self, holder: str, ttl: dt.timedelta) -> bool:
        expires = sweep_key(dt.datetime.now(dt.UTC) + ttl)
        result = await self.leases.replace_one(
            {"_id": "sweeper", "holder": holder},
            {"_id": "sweeper", "holder": holder, "expires_at_ms": expires},
        )
        return result.matched_count == 1

    async def release_lease(self, holder: str) -> None:
        await self.leases.delete_one({"_id": "sweeper", "holder": holder})

    async def due(self, now: dt.datetime, limit: int) -> list[Deadline]:
        """Up to ``limit`` deadlines the sweeper must act on at ``now``, oldest
        first. Reads the ``sweep_at_ms`` index only: cost follows the number due."""
        docs = (
            await self.deadlines.find({"sweep_at_ms": {"$lte": now_key(now)}})
            .sort("sweep_at_ms", ASCENDING)
            .limit(limit)
            .to_list()
        )
        return [deadline_from_doc(d) for d in docs]

    async def save_orders(
        self,
        before: Sequence[Deadline],
        ordered: Sequence[Deadline],
        *,
        now: dt.datetime,
        session: AsyncClientSession,
    ) -> None:
        """Store ordered deadlines and their ledger entries (a first order opens
        an entry, a re-order counts an attempt). Raises StaleVersion if any
        deadline changed meanwhile."""
        ledger_ops: list[InsertOne[Doc] | UpdateOne] = []
        for old, new in zip(before, ordered, strict=True):
            if old.attempt == 0:
                ledger_ops.append(InsertOne(new_purge_entry(new, now)))
            else:
                assert new.order_id is not None
                ledger_ops.append(
                    UpdateOne(
                        {"_id": purge_entry_id(new.order_id)},
                        {"$set": {"attempts": new.attempt, "last_ordered_at": now}},
                    )
                )
        result = await self.deadlines.bulk_write(
            [
                ReplaceOne({"_id": new.key, "version": old.version}, deadline_to_doc(new))
                for old, new in zip(before, ordered, strict=True)
            ],
            session=session,
        )
        if result.matched_count != len(ordered):
            raise StaleVersion(f"{len(ordered) - result.matched_count} deadlines changed")
        await self.ledger.bulk_write(ledger_ops, session=session)

    async def preview(self, now: dt.datetime, limit: int) -> SweepPreview:
        """What a sweep at ``now`` would order, without writing anything."""
        total = 0
        async for _ in self.deadlines.find({"sweep_at_ms": {"$lte": now_key(now)}}, {"_id": 1}):
            total += 1
        orders = tuple(
            PlannedOrder(
                kind=d.kind,
                subject_id=d.subject_id,
                due_at=d.due_at,
                attempt=d.attempt + 1,
                owners=d.owners,
            )
            for d in await self.due(now, limit)
        )
        return SweepPreview(at=now, total=total, orders=orders)

    # --- legal holds -----------------------------------------------------
    async def insert_hold(
        self,
        kind: PurgeSubjectKind,
        subject_id: str,
        reason: str,
        now: dt.datetime,
        session: AsyncClientSession,
    ) -> None:
        await self.holds.insert_one(
            {
                "_id": subject_key(kind, subject_id),
                "kind": kind.value,
                "subject_id": subject_id,
                "reason": reason,
                "since": now,
            },
            session=session,
        )

    async def delete_hold(
        self, kind: PurgeSubjectKind, subject_id: str, session: AsyncClientSession
    ) -> bool:
        removed = await self.holds.delete_one(
            {"_id": subject_key(kind, subject_id)}, session=session
        )
        return removed.deleted_count == 1

    async def ledger_hold_entry(
        self,
        entry: str,
        kind: PurgeSubjectKind,
        subject_id: str,
        now: dt.datetime,
        reason: str | None,
        session: AsyncClientSession,
    ) -> None:
        doc: Doc = {
            "_id": f"{entry}:{uuid4()}",
            "entry": entry,
            "subject_kind": kind.value,
            "subject_id": subject_id,
            "at": now,
        }
        if reason is not None:
            doc["reason"] = reason
        await self.ledger.insert_one(doc, session=session)

    # --- report ----------------------------------------------------------
    async def report(self, now: dt.datetime, *, limit: int = 100) -> RetentionReport:
        months: dict[str, dict[str, int]] = {}
        for kind in PurgeSubjectKind:
            cursor = await self.deadlines.aggregate(
                [
                    {
                        "$match": {
                            "state": DeadlineState.SCHEDULED.value,
                            "kind": kind.value,
                            "held": False,
                        }
                    },
                    {"$group": {"_id": "$due_month", "n": {"$sum": 1}}},
                ]
            )
            async for row in cursor:
                months.setdefault(str(row["_id"]), {})[kind.value] = int(row["n"])
        upcoming = tuple(
            MonthCount(
                month=month,
                applications=counts.get(PurgeSubjectKind.APPLICATION.value, 0),
                documents=counts.get(PurgeSubjectKind.DOCUMENT.value, 0),
            )
            for month, counts in sorted(months.items())
        )
        held: list[HeldItem] = []
        async for hold in self.holds.find({}).sort("since", ASCENDING).limit(limit):
            kind = PurgeSubjectKind(hold["kind"])
            deadline = await self.get(kind, hold["subject_id"])
            held.append(
                HeldItem(
                    kind=kind,
                    subject_id=hold["subject_id"],
                    since=hold["since"],
                    reason=hold["reason"],
                    state=deadline.state if deadline else None,
                    due_at=deadline.due_at if deadline else None,
                )
            )
        unconfirmed = [
            deadline_from_doc(doc)
            async for doc in self.deadlines.find({"state": DeadlineState.ORDERED.value})
            .sort("first_ordered_at", ASCENDING)
            .limit(limit)
        ]
        total = await self.deadlines.count_documents({"state": DeadlineState.ORDERED.value})
        return RetentionReport(
            generated_at=now,
            upcoming=upcoming,
            held=tuple(held),
            unconfirmed=tuple(_unconfirmed(d) for d in unconfirmed),
            unconfirmed_total=total,
        )


def _unconfirmed(d: Deadline) -> UnconfirmedPurge:
    return project(UnconfirmedPurge, d)
