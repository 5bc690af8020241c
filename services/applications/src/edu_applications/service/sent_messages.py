"""What notifications sent about each application, for its page: kept from
``notification.message-sent.v1`` (once per message, through the inbox and the
message's key) and read back for whoever may see the application."""

from __future__ import annotations

from edu_contracts.notifications import MessageSent
from edu_runtime.mongo import Doc
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_applications.adapters.sent_store import SentMessageStore
from edu_applications.adapters.store import ApplicationStore

CONSUMER = "notifications"


class SentMessages:
    def __init__(
        self, runtime: ServiceRuntime, applications: ApplicationStore, store: SentMessageStore
    ) -> None:
        self._inbox = runtime.inbox(CONSUMER)
        self._applications = applications
        self.store = store

    async def record(self, event: MessageSent) -> bool:
        """Keep a message notifications sent; False if the event (or another
        telling the same message) was applied before, or the application is
        gone (purged meanwhile: nothing of it is kept again)."""
        sent = event.payload
        kept = False

        async def save(uow: UnitOfWork) -> None:
            nonlocal kept
            if await self._applications.get(str(sent.application_id), uow.session) is None:
                kept = False
                return
            kept = await self.store.record(sent, uow.session)

        await self._inbox.apply_once(event.event_id, save)
        return kept

    async def of_application(self, application_id: str) -> list[Doc]:
        """Newest first. The caller has checked who may see the application."""
        return await self.store.of_application(application_id)
