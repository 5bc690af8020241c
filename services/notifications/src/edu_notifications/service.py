"""Use cases of notifications, one method each: ask the domain which messages
an event causes and queue them in the same unit of work as the event's inbox
record, so a redelivered event queues nothing twice and a crash between
deciding and sending loses nothing (the sender delivers from the queue).

The Kafka consumers call these; the sender (``adapters/sender.py``) delivers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

from edu_contracts.applications import IncidentReportedPayload, StatusChangedPayload
from edu_contracts.documents import RenderedPayload
from edu_contracts.notifications import MessageKind
from edu_contracts.retention import PurgeOrderedPayload, PurgeSubjectKind
from edu_runtime.consumer import Inbox
from edu_runtime.mongo import Doc
from edu_runtime.unit_of_work import Change, UnitOfWork

from edu_notifications.adapters.store import NotificationStore
from edu_notifications.digests import DigestService
from edu_notifications.domain import messages as rules
from edu_notifications.domain.sent import message_sent

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


class NotificationService:
    def __init__(
        self,
        store: NotificationStore,
        portal_address: str,
        clock: Clock,
        digests: DigestService | None = None,
    ) -> None:
        self.store = store
        self._portal = portal_address
        self._clock = clock
        self.digests = digests

    async def on_application_events(
        self, inbox: Inbox, changes: dict[UUID, StatusChangedPayload | IncidentReportedPayload]
    ) -> int:
        """Queue what the status changes and incident reports not applied
        before cause, as one unit of work; returns how many messages were queued."""
        fresh = await inbox.unseen(changes)
        queued = 0

        async def save(uow: UnitOfWork) -> None:
            nonlocal queued
            queued = 0
            for event_id in fresh:
                event = changes[event_id]
                if isinstance(event, IncidentReportedPayload):
                    decided = rules.on_incident_reported(event, self._portal)
                    queued += await self.store.queue(decided, self._clock(), uow.session)
                else:
                    queued += await self._status_change(event, uow)
                    if self.digests is not None:
                        await self.digests.on_status_change(event, uow.session)

        if fresh:
            await inbox.apply_all(fresh, save)
        return queued

    async def _status_change(self, change: StatusChangedPayload, uow: UnitOfWork) -> int:
        session = uow.session
        now = self._clock()
        recipient = rules.recipient_of(change)
        known = await self.store.recipient(change.application_id, session)
        # An older change seen after a newer one (a replay) must not move or
        # cancel what the newer one scheduled.
        stale = known is not None and known.version > change.version
        decided = rules.on_status_change(change, self._portal)
        if recipient is not None:
            await self.store.remember(recipient, session)
            for act in await self.store.take_waiting(change.application_id, session):
                decided += rules.on_document_rendered(act, recipient, self._portal)
        notices = [m for m in decided if m.kind is MessageKind.DELETION_NOTICE]
        others = [m for m in decided if m.kind is not MessageKind.DELETION_NOTICE]
        if stale:
            notices = []
        for notice in notices:
            await self.store.reschedule(notice, now, session)
        if rules.reopens(change) and not stale:
            await self.store.cancel(rules.deletion_key(change.application_id), session)
        return await self.store.queue(others, now, session) + len(notices)

    async def on_document_rendered(
        self, inbox: Inbox, event_id: UUID, rendered: RenderedPayload
    ) -> bool:
        """Tell the applicant an act is ready; if no address for the application
        has arrived yet (the status change is consumed from another topic), the
        act waits for it."""
        if rendered.application_id is None:
            return False
        app_id = rendered.application_id

        async def save(uow: UnitOfWork) -> None:
            recipient = await self.store.recipient(app_id, uow.session)
            if recipient is None:
                await self.store.wait(rendered, uow.session)
                return
            decided = rules.on_document_rendered(rendered, recipient, self._portal)
            await self.store.queue(decided, self._clock(), uow.session)

        return await inbox.apply_once(event_id, save)

    async def on_purge_ordered(
        self, inbox: Inbox, event_id: UUID, order: PurgeOrderedPayload
    ) -> None:
        """A purged application's messages (addresses and texts) go with it."""
        if order.subject.kind is not PurgeSubjectKind.APPLICATION:
            return

        async def save(uow: UnitOfWork) -> None:
            deleted = await self.store.forget(order.subject.id, uow.session)
            if self.digests is not None:
                await self.digests.forget(order.subject.id, uow.session)
            log.info("messages of a purged application deleted", extra={"deleted": deleted})

        await inbox.apply_once(event_id, save)


Units = Callable[[Change[None]], Awaitable[None]]


async def record_sent(
    units: Units, store: NotificationStore, sent: list[tuple[Doc, dt.datetime]]
) -> None:
    """Messages were delivered: record them as sent and tell the other services
    (``notification.message-sent.v1``, through the outbox) in one unit of work.
    Told once: a delivery recorded before (another sender's, after its lease
    ran out) records and tells nothing."""

    async def save(uow: UnitOfWork) -> None:
        for message, sent_at in sent:
            if not await store.mark_sent(message["_id"], sent_at, uow.session):
                continue
            event = message_sent(message, sent_at)
            if event is not None:
                uow.emit(event)

    await units(save)
