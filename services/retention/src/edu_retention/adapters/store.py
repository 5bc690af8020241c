"""Retention's MongoDB collections. None of them holds personal data: only
ids, statuses, dates, owner names and counts.

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
from collections.abc import Sequence
from uuid import UUID, uuid4

from edu_contracts.applications import CLOSED_STATUSES, StatusChangedPayload
from edu_contracts.documents import DocumentKind, RenderedPayload
from edu_contracts.retention import (
    PurgeConfirmedPayload,
    PurgeOrdered,
    PurgeOrderedPayload,
    PurgeSubjectKind,
)
from edu_contracts.services import ServiceName
from edu_runtime.mongo import Doc, StaleVersion, replace_versioned
from edu_runtime.outbox import Outbox
from edu_runtime.pseudonym import redact_personal_codes
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork
from pymongo import ASCENDING, InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from edu_retention.domain.model import (
    Deadline,
    DeadlineState,
    RetryPolicy,
    new_application_deadline,
    new_document_deadline,
    subject_key,
)
from edu_retention.domain.report import (
    HeldItem,
    HoldOutcome,
    MonthCount,
    PlannedOrder,
    RetentionReport,
    SweepPreview,
    UnconfirmedPurge,
)
from edu_retention.domain.rules import (
    RIGA,
    application_purge_date,
    closing_date,
    printout_purge_at,
    start_of_riga_day,
)

log = logging.getLogger(__name__)

PRODUCER = ServiceName.RETENTION.value
MAX_REASON = 500


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


def purge_order_event(d: Deadline, now: dt.datetime) -> PurgeOrdered:
    assert d.order_id is not None
    return PurgeOrdered(
        producer=PRODUCER,
        correlation_id=str(d.order_id),
        payload=PurgeOrderedPayload(
            order_id=d.order_id,
            subject=d.subject,
            owners=d.owners,
            ordered_at=now,
            attempt=d.attempt,
        ),
    )


class RetentionStore:
    def __init__(
        self, client: AsyncMongoClient[Doc], db: AsyncDatabase[Doc], outbox: Outbox | None
    ) -> None:
        self.client = client
        self.tracked = db["tracked_applications"]
        self.deadlines = db["deadlines"]
        self.holds = db["holds"]
        self.ledger = db["purge_ledger"]
        self.leases = db["leases"]
        self._outbox = outbox
        self._units = UnitsOfWork(client, outbox)

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

    async def _is_held(self, key: str, session: AsyncClientSession) -> bool:
        return await self.holds.find_one({"_id": key}, session=session) is not None

    async def _insert(self, d: Deadline, session: AsyncClientSession) -> None:
        await self.deadlines.insert_one(deadline_to_doc(d), session=session)

    async def _save(self, old: Deadline, new: Deadline, session: AsyncClientSession) -> None:
        if new is not old:
            await replace_versioned(
                self.deadlines, deadline_to_doc(new), expected_version=old.version, session=session
            )

    # --- application and document events ---------------------------------
    async def apply_status_change(
        self, change: StatusChangedPayload, session: AsyncClientSession
    ) -> None:
        """Track the application's latest status and keep its deadline in step:
        closed → scheduled (or moved), reopened → cancelled. Older (out-of-order)
        changes lose against what a higher version already said."""
        app_id = str(change.application_id)
        current = await self.tracked.find_one({"_id": app_id}, session=session)
        if current is not None and current["version"] >= change.version:
            return
        await self.tracked.replace_one(
            {"_id": app_id},
            {
                "_id": app_id,
                "status": change.to_status.value,
                "version": change.version,
                "institution_id": change.institution_id,
                "changed_at": change.changed_at,
                "events_applied": (current or {}).get("events_applied", 0) + 1,
            },
            upsert=True,
            session=session,
        )
        deadline = await self.get(PurgeSubjectKind.APPLICATION, app_id, session)
        if change.to_status in CLOSED_STATUSES:
            closed_on = closing_date(change.changed_at, change.effective_date)
            due_at = start_of_riga_day(application_purge_date(closed_on))
            if deadline is None:
                await self._insert(
                    new_application_deadline(
                        app_id,
                        due_at=due_at,
                        closed_on=closed_on,
                        status=change.to_status.value,
                        source=change.version,
                        held=await self._is_held(
                            subject_key(PurgeSubjectKind.APPLICATION, app_id), session
                        ),
                    ),
                    session,
                )
                return
            moved = deadline.reschedule(
                due_at=due_at,
                closed_on=closed_on,
                status=change.to_status.value,
                source=change.version,
            )
            await self._save(deadline, moved, session)
        elif deadline is not None:
            await self._save(deadline, deadline.cancel(source=change.version), session)
        if deadline is not None and deadline.is_settled:
            # Too late to change anything: owners may already have deleted.
            log.warning(
                "application changed after its purge was ordered",
                extra={"application_id": app_id, "to_status": change.to_status.value},
            )

    async def record_printout(self, rendered: RenderedPayload, session: AsyncClientSession) -> None:
        """A my-data printout lives for 24 hours (data minimisation)."""
        if rendered.kind is not DocumentKind.MY_DATA_PRINTOUT:
            return
        doc_id = str(rendered.document_id)
        if await self.get(PurgeSubjectKind.DOCUMENT, doc_id, session) is not None:
            return  # the same rendering announced again
        key = subject_key(PurgeSubjectKind.DOCUMENT, doc_id)
        await self._insert(
            new_document_deadline(
                doc_id,
                due_at=printout_purge_at(rendered.rendered_at),
                held=await self._is_held(key, session),
            ),
            session,
        )

    async def record_confirmation(
        self, confirmation: PurgeConfirmedPayload, session: AsyncClientSession, now: dt.datetime
    ) -> bool:
        """Record one owner's confirmation; True if it changed anything. The
        order is complete when every owner has confirmed."""
        deadline = await self.get(confirmation.subject.kind, confirmation.subject.id, session)
        if deadline is None or deadline.order_id != confirmation.order_id:
            log.warning(
                "confirmation of an unknown purge order ignored",
                extra={"order_id": str(confirmation.order_id), "owner": confirmation.owner.value},
            )
            return False
        confirmed = deadline.confirm(confirmation.owner, now=now)
        if confirmed is deadline:
            return False  # a second confirmation by the same owner, or not an owner
        entry_id = purge_entry_id(confirmation.order_id)
        entry = await self.ledger.find_one({"_id": entry_id}, session=session)
        if entry is None:
            raise LookupError(f"ledger entry {entry_id} missing")
        entry["confirmations"] = {
            **entry.get("confirmations", {}),
            confirmation.owner.value: {
                "confirmed_at": confirmation.confirmed_at,
                "recorded_at": now,
                "attempt": deadline.attempt,
                # counts per collection; the keys are collection names, never values
                "deleted": {str(k): int(v) for k, v in confirmation.deleted.items()},
            },
        }
        if confirmed.state is DeadlineState.PURGED:
            entry["completed_at"] = now
        await self.ledger.replace_one({"_id": entry_id}, entry, session=session)
        # The deadline last: readers that see "purged" find the ledger complete
        # even on a server with weaker isolation than MongoDB's.
        await self._save(deadline, confirmed, session)
        return True

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

    async def order(
        self, deadlines: Sequence[Deadline], *, now: dt.datetime, policy: RetryPolicy
    ) -> list[Deadline]:
        """Order the purge of ``deadlines`` in one transaction: the deadlines,
        their ledger entries and the purge orders (outbox) are written together.
        Raises StaleVersion (nothing written) if any deadline changed meanwhile."""
        if self._outbox is None:
            raise RuntimeError("this store was opened without an outbox")
        if not deadlines:
            return []
        ordered = [d.order(now=now, order_id=uuid4(), policy=policy) for d in deadlines]
        ledger_ops: list[InsertOne[Doc] | UpdateOne] = []
        for old, new in zip(deadlines, ordered, strict=True):
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

        async def change(uow: UnitOfWork) -> None:
            result = await self.deadlines.bulk_write(
                [
                    ReplaceOne({"_id": new.key, "version": old.version}, deadline_to_doc(new))
                    for old, new in zip(deadlines, ordered, strict=True)
                ],
                session=uow.session,
            )
            if result.matched_count != len(ordered):
                raise StaleVersion(f"{len(ordered) - result.matched_count} deadlines changed")
            await self.ledger.bulk_write(ledger_ops, session=uow.session)
            uow.emit(*(purge_order_event(d, now) for d in ordered))

        await self._units.run(change)
        return ordered

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
    async def place_hold(
        self, kind: PurgeSubjectKind, subject_id: str, reason: str, now: dt.datetime
    ) -> HoldOutcome:
        key = subject_key(kind, subject_id)
        # Free text typed by an operator: keep it short and mask anything shaped
        # like a personal code, because the ledger must hold no personal data.
        clean = redact_personal_codes(reason.strip())[:MAX_REASON]

        async def change(uow: UnitOfWork) -> HoldOutcome:
            session = uow.session
            deadline = await self.get(kind, subject_id, session)
            state = deadline.state if deadline else None
            due_at = deadline.due_at if deadline else None
            if deadline is not None and deadline.state is DeadlineState.PURGED:
                return HoldOutcome(
                    kind=kind,
                    subject_id=subject_id,
                    changed=False,
                    message="already purged; nothing left to hold",
                    state=state,
                    due_at=due_at,
                )
            if await self._is_held(key, session):
                return HoldOutcome(
                    kind=kind,
                    subject_id=subject_id,
                    changed=False,
                    message="already on hold",
                    state=state,
                    due_at=due_at,
                )
            await self.holds.insert_one(
                {
                    "_id": key,
                    "kind": kind.value,
                    "subject_id": subject_id,
                    "reason": clean,
                    "since": now,
                },
                session=session,
            )
            if deadline is not None:
                await self._save(deadline, deadline.with_hold(True), session)
            await self._ledger_hold_entry("hold_placed", kind, subject_id, now, clean, session)
            return HoldOutcome(
                kind=kind,
                subject_id=subject_id,
                changed=True,
                message="hold placed",
                state=state,
                due_at=due_at,
            )

        outcome = await self._units.run(change)
        if not outcome.changed:
            return outcome
        state, due_at = outcome.state, outcome.due_at
        message = outcome.message
        if state is DeadlineState.ORDERED:
            message += "; a purge was already ordered, owners may have deleted part of it"
        return HoldOutcome(
            kind=kind,
            subject_id=subject_id,
            changed=True,
            message=message,
            state=state,
            due_at=due_at,
        )

    async def release_hold(
        self, kind: PurgeSubjectKind, subject_id: str, now: dt.datetime
    ) -> HoldOutcome:
        key = subject_key(kind, subject_id)

        async def change(uow: UnitOfWork) -> HoldOutcome:
            session = uow.session
            deadline = await self.get(kind, subject_id, session)
            state = deadline.state if deadline else None
            due_at = deadline.due_at if deadline else None
            removed = await self.holds.delete_one({"_id": key}, session=session)
            if removed.deleted_count == 0:
                return HoldOutcome(
                    kind=kind,
                    subject_id=subject_id,
                    changed=False,
                    message="not on hold",
                    state=state,
                    due_at=due_at,
                )
            if deadline is not None:
                await self._save(deadline, deadline.with_hold(False), session)
            await self._ledger_hold_entry("hold_released", kind, subject_id, now, None, session)
            return HoldOutcome(
                kind=kind,
                subject_id=subject_id,
                changed=True,
                message="hold released",
                state=state,
                due_at=due_at,
            )

        outcome = await self._units.run(change)
        if not outcome.changed:
            return outcome
        state, due_at = outcome.state, outcome.due_at
        message = outcome.message
        if due_at is not None and state is DeadlineState.SCHEDULED and due_at <= now:
            message += "; past due, the next sweep orders the purge"
        return HoldOutcome(
            kind=kind,
            subject_id=subject_id,
            changed=True,
            message=message,
            state=state,
            due_at=due_at,
        )

    async def _ledger_hold_entry(
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
    assert d.order_id is not None
    assert d.first_ordered_at is not None
    return UnconfirmedPurge(
        kind=d.kind,
        subject_id=d.subject_id,
        order_id=d.order_id,
        attempt=d.attempt,
        first_ordered_at=d.first_ordered_at,
        next_attempt_at=d.next_attempt_at,
        missing_owners=d.missing_owners,
        held=d.held,
    )
