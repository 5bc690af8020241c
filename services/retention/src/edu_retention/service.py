"""Use cases of retention, one method each: load deadlines (``adapters/store.py``),
let the domain (``domain/model.py``, ``domain/rules.py``) decide, and save the
result and the purge orders it causes as one unit of work.

- what other services tell it: status changes schedule, move or cancel an
  application's deadline; a rendered "My data" printout gets a 24-hour one;
  owners' confirmations complete a purge;
- what the sweeper asks: order the purge of due deadlines;
- what an operator asks (``cli.py``): place and release legal holds.

The Kafka consumers and the sweeper call these; they decide nothing themselves.
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
from edu_runtime.consumer import Inbox
from edu_runtime.pseudonym import redact_personal_codes
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork

from edu_retention.adapters.store import RetentionStore, TrackedVersion
from edu_retention.clock import Clock
from edu_retention.domain.model import (
    Deadline,
    DeadlineState,
    RetryPolicy,
    new_application_deadline,
    new_document_deadline,
    subject_key,
)
from edu_retention.domain.report import HoldOutcome
from edu_retention.domain.rules import (
    application_purge_date,
    closing_date,
    printout_purge_at,
    start_of_riga_day,
)

log = logging.getLogger(__name__)

PRODUCER = ServiceName.RETENTION.value
MAX_REASON = 500


class RetentionService:
    def __init__(self, store: RetentionStore, units: UnitsOfWork, clock: Clock) -> None:
        self.store = store
        self._units = units
        self._clock = clock

    # --- what other services tell us ---------------------------------------
    async def track_status_changes(
        self, inbox: Inbox, changes: dict[UUID, StatusChangedPayload]
    ) -> None:
        """Apply applications' status changes not applied before, in the order
        they were published, as one unit of work."""
        fresh = await inbox.unseen(changes)
        if not fresh:
            return

        async def save(uow: UnitOfWork) -> None:
            todo = [changes[event_id] for event_id in fresh]
            app_ids = {str(c.application_id) for c in todo}
            # Read once for the batch, decided in order in memory, the tracked
            # statuses written once: every status change of every application
            # passes here, so its round trips are paid per batch.
            tracked = await self.store.tracked_versions(app_ids, uow.session)
            deadlines = await self.store.get_many(
                PurgeSubjectKind.APPLICATION, app_ids, uow.session
            )
            latest: dict[str, tuple[StatusChangedPayload, int]] = {}
            for change in todo:
                await self._track(change, uow, tracked, deadlines, latest)
            await self.store.track_all(list(latest.values()), uow.session)

        await inbox.apply_all(fresh, save)

    async def _track(
        self,
        change: StatusChangedPayload,
        uow: UnitOfWork,
        tracked: dict[str, TrackedVersion],
        deadlines: dict[str, Deadline],
        latest: dict[str, tuple[StatusChangedPayload, int]],
    ) -> None:
        """Track the application's latest status and keep its deadline in step:
        closed → scheduled (or moved), reopened → cancelled. Older (out-of-order)
        changes lose against what a higher version already said. ``tracked``,
        ``deadlines`` and ``latest`` are the batch's state, kept current here."""
        session = uow.session
        app_id = str(change.application_id)
        seen = tracked.get(app_id)
        if seen is not None and seen.version >= change.version:
            return
        tracked[app_id] = TrackedVersion(change.version, (seen.events_applied if seen else 0) + 1)
        latest[app_id] = (change, tracked[app_id].events_applied)
        deadline = deadlines.get(app_id)
        if change.to_status in CLOSED_STATUSES:
            closed_on = closing_date(change.changed_at, change.effective_date)
            due_at = start_of_riga_day(application_purge_date(closed_on))
            if deadline is None:
                held = await self.store.is_held(
                    subject_key(PurgeSubjectKind.APPLICATION, app_id), session
                )
                scheduled = new_application_deadline(
                    app_id,
                    due_at=due_at,
                    closed_on=closed_on,
                    status=change.to_status.value,
                    source=change.version,
                    held=held,
                )
                await self.store.insert(scheduled, session)
                deadlines[app_id] = scheduled
                return
            moved = deadline.reschedule(
                due_at=due_at,
                closed_on=closed_on,
                status=change.to_status.value,
                source=change.version,
            )
            await self.store.save(deadline, moved, session)
            deadlines[app_id] = moved
        elif deadline is not None:
            cancelled = deadline.cancel(source=change.version)
            await self.store.save(deadline, cancelled, session)
            deadlines[app_id] = cancelled
        if deadline is not None and deadline.is_settled:
            # Too late to change anything: owners may already have deleted.
            log.warning(
                "application changed after its purge was ordered",
                extra={"application_id": app_id, "to_status": change.to_status.value},
            )

    async def schedule_printout(
        self, inbox: Inbox, event_id: UUID, rendered: RenderedPayload
    ) -> None:
        """A "My data" printout lives for 24 hours (data minimisation)."""

        async def save(uow: UnitOfWork) -> None:
            if rendered.kind is not DocumentKind.MY_DATA_PRINTOUT:
                return
            doc_id = str(rendered.document_id)
            existing = await self.store.get(PurgeSubjectKind.DOCUMENT, doc_id, uow.session)
            if existing is not None:
                return  # the same rendering announced again
            key = subject_key(PurgeSubjectKind.DOCUMENT, doc_id)
            deadline = new_document_deadline(
                doc_id,
                due_at=printout_purge_at(rendered.rendered_at),
                held=await self.store.is_held(key, uow.session),
            )
            await self.store.insert(deadline, uow.session)

        await inbox.apply_once(event_id, save)

    async def record_confirmation(
        self, inbox: Inbox, event_id: UUID, confirmation: PurgeConfirmedPayload
    ) -> bool:
        """One owner confirmed its part of a purge; True if that changed
        anything. The purge is complete when every owner has confirmed."""
        recorded = False

        async def save(uow: UnitOfWork) -> None:
            nonlocal recorded
            recorded = await self.confirm(confirmation, uow)

        applied = await inbox.apply_once(event_id, save)
        return applied and recorded

    async def confirm(self, confirmation: PurgeConfirmedPayload, uow: UnitOfWork) -> bool:
        now = self._clock.now()
        subject = confirmation.subject
        deadline = await self.store.get(subject.kind, subject.id, uow.session)
        if deadline is None or deadline.order_id != confirmation.order_id:
            log.warning(
                "confirmation of an unknown purge order ignored",
                extra={"order_id": str(confirmation.order_id), "owner": confirmation.owner.value},
            )
            return False
        confirmed = deadline.confirm(confirmation.owner, now=now)
        if confirmed is deadline:
            return False  # a second confirmation by the same owner, or not an owner
        await self.store.record_confirmation(
            confirmation,
            attempt=deadline.attempt,
            completed=confirmed.state is DeadlineState.PURGED,
            now=now,
            session=uow.session,
        )
        # The deadline last: readers that see "purged" find the ledger complete
        # even on a server with weaker isolation than MongoDB's.
        await self.store.save(deadline, confirmed, uow.session)
        if confirmed.state is DeadlineState.PURGED and subject.kind is PurgeSubjectKind.APPLICATION:
            # Nothing is left to track once every owner deleted it; a status event
            # redelivered later than that would be older than the inbox keeps (35
            # days, against 25 months to the purge) and is not expected.
            await self.store.forget_application(subject.id, uow.session)
        return True

    # --- what the sweeper asks ---------------------------------------------
    async def order_purges(
        self, deadlines: Sequence[Deadline], *, now: dt.datetime, policy: RetryPolicy
    ) -> list[Deadline]:
        """Order the purge of ``deadlines``: the deadlines, their ledger entries
        and the purge orders (outbox) in one unit of work. Raises StaleVersion
        (nothing written) if any deadline changed meanwhile."""
        if not deadlines:
            return []
        ordered = [d.order(now=now, order_id=uuid4(), policy=policy) for d in deadlines]

        async def save(uow: UnitOfWork) -> None:
            await self.store.save_orders(deadlines, ordered, now=now, session=uow.session)
            uow.emit(*(purge_order_event(d, now) for d in ordered))

        await self._units.run(save)
        return ordered

    # --- what an operator asks ---------------------------------------------
    async def place_hold(
        self, kind: PurgeSubjectKind, subject_id: str, reason: str, now: dt.datetime
    ) -> HoldOutcome:
        """Keep the subject past its deadline (litigation, an inquiry)."""
        key = subject_key(kind, subject_id)
        # Free text typed by an operator: keep it short and mask anything shaped
        # like a personal code, because the ledger must hold no personal data.
        clean = redact_personal_codes(reason.strip())[:MAX_REASON]

        async def save(uow: UnitOfWork) -> HoldOutcome:
            session = uow.session
            deadline = await self.store.get(kind, subject_id, session)
            if deadline is not None and deadline.state is DeadlineState.PURGED:
                return _hold_outcome(
                    kind,
                    subject_id,
                    deadline,
                    "already purged; nothing left to hold",
                    changed=False,
                )
            if await self.store.is_held(key, session):
                return _hold_outcome(kind, subject_id, deadline, "already on hold", changed=False)
            await self.store.insert_hold(kind, subject_id, clean, now, session)
            if deadline is not None:
                await self.store.save(deadline, deadline.with_hold(True), session)
            await self.store.ledger_hold_entry("hold_placed", kind, subject_id, now, clean, session)
            message = "hold placed"
            if deadline is not None and deadline.state is DeadlineState.ORDERED:
                message += "; a purge was already ordered, owners may have deleted part of it"
            return _hold_outcome(kind, subject_id, deadline, message, changed=True)

        return await self._units.run(save)

    async def release_hold(
        self, kind: PurgeSubjectKind, subject_id: str, now: dt.datetime
    ) -> HoldOutcome:
        async def save(uow: UnitOfWork) -> HoldOutcome:
            session = uow.session
            deadline = await self.store.get(kind, subject_id, session)
            if not await self.store.delete_hold(kind, subject_id, session):
                return _hold_outcome(kind, subject_id, deadline, "not on hold", changed=False)
            if deadline is not None:
                await self.store.save(deadline, deadline.with_hold(False), session)
            await self.store.ledger_hold_entry(
                "hold_released", kind, subject_id, now, None, session
            )
            message = "hold released"
            if (
                deadline is not None
                and deadline.state is DeadlineState.SCHEDULED
                and deadline.due_at <= now
            ):
                message += "; past due, the next sweep orders the purge"
            return _hold_outcome(kind, subject_id, deadline, message, changed=True)

        return await self._units.run(save)


def _hold_outcome(
    kind: PurgeSubjectKind,
    subject_id: str,
    before: Deadline | None,
    message: str,
    *,
    changed: bool,
) -> HoldOutcome:
    """What a hold request did, with the deadline as it was before."""
    return HoldOutcome(
        kind=kind,
        subject_id=subject_id,
        changed=changed,
        message=message,
        state=before.state if before else None,
        due_at=before.due_at if before else None,
    )


def purge_order_event(d: Deadline, now: dt.datetime) -> PurgeOrdered:
    """The order to every owner of ``d``'s subject to delete it."""
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
