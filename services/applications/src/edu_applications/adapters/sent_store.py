"""Read model of the messages notifications sent about applications
(``sent_messages``, from ``notification.message-sent.v1``): one document per
message, ``_id`` the message's key, so an event told twice is kept once.
Shown on the application's page; deleted with the application (its purge)."""

from __future__ import annotations

import datetime as dt

from edu_contracts.notifications import MessageSentPayload
from edu_runtime.mongo import Doc
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

SENT_MESSAGES = "sent_messages"
SHOWN_MAX = 200  # far more than one application's life causes


class SentMessageStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.sent_messages = db[SENT_MESSAGES]

    async def ensure_indexes(self) -> None:
        # Also creates the collection up front (not inside a transaction).
        await self.sent_messages.create_index(
            [("application_id", ASCENDING), ("sent_ms", DESCENDING)]
        )

    async def record(self, sent: MessageSentPayload, session: AsyncClientSession) -> bool:
        """Keep a sent message; False if it was kept before."""
        result = await self.sent_messages.update_one(
            {"_id": sent.message_key},
            {
                "$setOnInsert": {
                    "_id": sent.message_key,
                    "application_id": str(sent.application_id),
                    "kind": sent.kind.value,
                    "language": sent.language.value,
                    "subject": sent.subject,
                    "channel": sent.channel.value,
                    # As text and as epoch ms (what it is sorted on): the
                    # embedded server may keep a date set in an update as text.
                    "sent_at": sent.sent_at.astimezone(dt.UTC).isoformat(),
                    "sent_ms": int(sent.sent_at.timestamp() * 1000),
                }
            },
            upsert=True,
            session=session,
        )
        return result.upserted_id is not None

    async def of_application(self, application_id: str) -> list[Doc]:
        """The messages sent about an application, newest first."""
        return await self.sent_messages.find(
            {"application_id": application_id},
            sort=[("sent_ms", DESCENDING), ("_id", DESCENDING)],
        ).to_list(SHOWN_MAX)
