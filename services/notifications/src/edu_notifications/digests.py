"""Use cases of the institutions' daily digest of new applications (issue #23;
rules in ``domain/digest.py``):

- a school's lending settings bring its digest address (the newest version wins);
- each application that becomes submitted is recorded for its institution's
  Riga day, and that day's digest is queued for 07:00 the next morning, or, if
  already queued, replaced with the new count and numbers (only while it
  waits: one sent stays as it was);
- a removed address cancels the digests still waiting; a changed one moves them.

The sender delivers the digest like any other message when its time comes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from uuid import UUID

from edu_contracts.applications import StatusChangedPayload
from edu_contracts.lending import LendingSettingsPayload
from edu_runtime.consumer import Inbox
from edu_runtime.riga import riga_date
from edu_runtime.unit_of_work import UnitOfWork
from pymongo.asynchronous.client_session import AsyncClientSession

from edu_notifications.adapters.digest_store import DigestStore
from edu_notifications.adapters.store import NotificationStore
from edu_notifications.domain import digest as rules

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


class DigestService:
    def __init__(
        self, store: NotificationStore, digests: DigestStore, portal_address: str, clock: Clock
    ) -> None:
        self.store = store
        self.digests = digests
        self._portal = portal_address
        self._clock = clock

    async def on_status_change(
        self, change: StatusChangedPayload, session: AsyncClientSession
    ) -> None:
        """Inside the unit of work of the application event: a submission is
        counted in its institution's digest of that day."""
        submission = rules.submission_of(change)
        if submission is None:
            return
        await self.digests.add(submission, session)
        await self._refresh(submission.institution_id, submission.day, session)

    async def on_lending_settings(
        self, inbox: Inbox, event_id: UUID, settings: LendingSettingsPayload
    ) -> bool:
        """Remember the institution's digest address (newest settings win); the
        digests still waiting follow it."""
        incoming = rules.contact_of(settings)

        async def save(uow: UnitOfWork) -> None:
            known = await self.digests.contact(incoming.institution_id, uow.session)
            if not rules.supersedes(known, incoming):
                return
            await self.digests.save_contact(incoming, uow.session)
            if known is not None and known.email == incoming.email:
                return
            now = self._clock()
            today = riga_date(now)
            for day in (today - dt.timedelta(days=1), today):
                if rules.digest_due(day) > now:
                    await self._refresh(incoming.institution_id, day, uow.session)

        return await inbox.apply_once(event_id, save)

    async def forget(self, application_id: str, session: AsyncClientSession) -> int:
        """A purged application leaves the days' records (its purge order)."""
        return await self.digests.forget(application_id, session)

    async def _refresh(
        self, institution_id: str, day: dt.date, session: AsyncClientSession
    ) -> None:
        """Queue or replace the digest of ``day``, or cancel it when the
        institution has no address (any more)."""
        contact = await self.digests.contact(institution_id, session)
        key = rules.digest_key(institution_id, day)
        if contact is None or contact.email is None:
            await self.store.cancel(key, session)
            return
        message = rules.daily_digest(
            contact, day, await self.digests.of_day(institution_id, day, session), self._portal
        )
        if message is not None:
            await self.digests.put_digest(message, self._clock(), session)
