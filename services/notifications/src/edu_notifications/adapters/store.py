"""Notifications' repository (MongoDB).

- ``messages``: every message decided, with its delivery state (the service's
  own outbox of e-mail: written in the same transaction as the inbox record of
  the event that caused it). ``_id`` is the message's key, so the same message
  cannot be queued twice. Kept with its texts so that what was sent can be
  shown and audited.
- ``recipients``: per application, where and in which language to write (the
  latest status change that carried a contact address wins), for the events
  that do not carry one (documents' rendered acts).
- ``waiting``: rendered acts that arrived before any address for their
  application (the two topics are consumed independently); told as soon as a
  status change brings the address.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from uuid import UUID

from edu_contracts.documents import RenderedPayload
from edu_runtime.mongo import Doc
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from edu_notifications.domain.delivery import PENDING, DeliveryState
from edu_notifications.domain.messages import Message, Recipient

_PENDING = [s.value for s in PENDING]
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DEAD_LETTERED = -1


def ms(instant: dt.datetime) -> int:
    """Epoch milliseconds: the queue's keys are integers, not BSON dates, because
    the embedded nx-27017 stored a date given in an update's ``$set`` as text
    (seen in the retry test), and evaluates date ranges outside its indexes (see
    retention's ``sweep_key``); on an integer both servers agree."""
    return (instant - _EPOCH) // dt.timedelta(milliseconds=1)


def from_ms(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(milliseconds=value)


def message_doc(m: Message, now: dt.datetime) -> Doc:
    return {
        "_id": m.key,
        "kind": m.kind.value,
        "application_id": str(m.application_id) if m.application_id else None,
        "institution_id": m.institution_id,
        "to": m.to,
        "language": m.language.value,
        "subject": m.subject,
        "text": m.text,
        "html": m.html,
        "link": m.link,
        "state": DeliveryState.QUEUED.value,
        "attempts": 0,
        "created_at": now,
        "next_attempt_ms": ms(m.not_before or now),
        # When it became due (fixed): the age of the backlog is measured from it.
        "due_ms": ms(m.not_before or now),
        # Ties on next_attempt_ms (one batch of events queues several messages
        # in the same millisecond) go in the order they were decided.
        "seq": time.time_ns(),
        "sent_ms": None,
        "last_error": None,
        # 0: a dead letter to publish once it has failed; a positive number: a
        # sender publishing it, until then (epoch ms); DEAD_LETTERED: published.
        "dead_letter": 0,
    }


class NotificationStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.messages = db["messages"]
        self.recipients = db["recipients"]
        self.waiting = db["waiting"]

    async def ensure_indexes(self) -> None:
        await self.messages.create_index([("state", ASCENDING), ("next_attempt_ms", ASCENDING)])
        await self.messages.create_index([("application_id", ASCENDING)])
        await self.waiting.create_index([("application_id", ASCENDING)])
        await self.messages.create_index([("state", ASCENDING), ("due_ms", ASCENDING)])

    # --- what the consumers write (inside the inbox's unit of work) --------
    async def queue(
        self, messages: list[Message], now: dt.datetime, session: AsyncClientSession
    ) -> int:
        """Queue the messages not queued before; returns how many were new."""
        new = 0
        for m in messages:
            result = await self.messages.update_one(
                {"_id": m.key},
                {"$setOnInsert": message_doc(m, now)},
                upsert=True,
                session=session,
            )
            new += 1 if result.upserted_id is not None else 0
        return new

    async def reschedule(self, m: Message, now: dt.datetime, session: AsyncClientSession) -> None:
        """Replace a scheduled message not sent yet (the deletion notice after
        a later closing); a sent one stays as it was."""
        await self.messages.update_one(
            {"_id": m.key, "state": {"$in": _PENDING}},
            {"$set": {k: v for k, v in message_doc(m, now).items() if k != "_id"}},
            session=session,
        )
        await self.queue([m], now, session)

    async def cancel(self, key: str, session: AsyncClientSession) -> None:
        await self.messages.update_one(
            {"_id": key, "state": {"$in": _PENDING}},
            {"$set": {"state": DeliveryState.CANCELLED.value, "next_attempt_ms": None}},
            session=session,
        )

    async def remember(self, r: Recipient, session: AsyncClientSession) -> None:
        """Keep the newest contact per application (highest version wins)."""
        await self.recipients.update_one(
            {"_id": str(r.application_id), "version": {"$lt": r.version}},
            {"$set": r.model_dump(mode="json") | {"_id": str(r.application_id)}},
            session=session,
        )
        await self.recipients.update_one(
            {"_id": str(r.application_id)},
            {"$setOnInsert": r.model_dump(mode="json") | {"_id": str(r.application_id)}},
            upsert=True,
            session=session,
        )

    async def recipient(
        self, application_id: UUID, session: AsyncClientSession | None = None
    ) -> Recipient | None:
        doc = await self.recipients.find_one({"_id": str(application_id)}, session=session)
        if doc is None:
            return None
        return Recipient.model_validate({k: v for k, v in doc.items() if k != "_id"})

    async def wait(self, rendered: RenderedPayload, session: AsyncClientSession) -> None:
        await self.waiting.update_one(
            {"_id": str(rendered.document_id)},
            {
                "$setOnInsert": {
                    "application_id": str(rendered.application_id),
                    "rendered": rendered.model_dump_json(),
                }
            },
            upsert=True,
            session=session,
        )

    async def take_waiting(
        self, application_id: UUID, session: AsyncClientSession
    ) -> list[RenderedPayload]:
        """The acts waiting for this application's address, removed."""
        docs = await self.waiting.find(
            {"application_id": str(application_id)}, session=session
        ).to_list()
        if docs:
            await self.waiting.delete_many(
                {"_id": {"$in": [d["_id"] for d in docs]}}, session=session
            )
        return [RenderedPayload.model_validate_json(d["rendered"]) for d in docs]

    async def forget(self, application_id: str, session: AsyncClientSession) -> int:
        """Delete everything about an application (its purge)."""
        deleted = await self.messages.delete_many(
            {"application_id": application_id}, session=session
        )
        await self.recipients.delete_one({"_id": application_id}, session=session)
        await self.waiting.delete_many({"application_id": application_id}, session=session)
        return deleted.deleted_count

    # --- what the sender does ----------------------------------------------
    async def claim(self, now: dt.datetime, lease: dt.timedelta) -> Doc | None:
        """Take the oldest due message and hide it from other tries for
        ``lease`` (a sender killed mid-send leaves it to be tried again then)."""
        return await self.messages.find_one_and_update(
            {"state": {"$in": _PENDING}, "next_attempt_ms": {"$lte": ms(now)}},
            {"$set": {"next_attempt_ms": ms(now + lease)}, "$inc": {"attempts": 1}},
            sort=[("next_attempt_ms", ASCENDING), ("seq", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    async def mark_sent(
        self, key: str, now: dt.datetime, session: AsyncClientSession | None = None
    ) -> bool:
        """Record the delivery; False if it was recorded before (a second
        sender after a lease ran out), so what follows a send happens once."""
        result = await self.messages.update_one(
            {"_id": key, "state": {"$ne": DeliveryState.SENT.value}},
            {
                "$set": {
                    "state": DeliveryState.SENT.value,
                    "sent_ms": ms(now),
                    "next_attempt_ms": None,
                }
            },
            session=session,
        )
        return result.matched_count == 1

    async def mark_failed_try(
        self, key: str, state: DeliveryState, next_attempt_at: dt.datetime | None, error: str
    ) -> None:
        await self.messages.update_one(
            {"_id": key},
            {
                "$set": {
                    "state": state.value,
                    "next_attempt_ms": ms(next_attempt_at) if next_attempt_at else None,
                    "last_error": error,
                }
            },
        )

    async def claim_dead_letter(self, now: dt.datetime, lease: dt.timedelta) -> Doc | None:
        """A failed message whose dead letter nobody has published or is
        publishing, taken for ``lease`` (so two senders do not both publish it;
        one killed meanwhile leaves it to the next after the lease)."""
        return await self.messages.find_one_and_update(
            {"state": DeliveryState.FAILED.value, "dead_letter": {"$gte": 0, "$lte": ms(now)}},
            {"$set": {"dead_letter": ms(now + lease)}},
            return_document=ReturnDocument.AFTER,
        )

    async def mark_dead_lettered(self, key: str) -> None:
        await self.messages.update_one({"_id": key}, {"$set": {"dead_letter": DEAD_LETTERED}})

    # --- reads -------------------------------------------------------------
    async def of_application(self, application_id: UUID) -> list[Doc]:
        return await self.messages.find(
            {"application_id": str(application_id)},
            {"html": 0, "text": 0},
            sort=[("created_at", ASCENDING)],
        ).to_list(200)

    async def counts(self, now: dt.datetime) -> dict[str, Any]:
        """Backlog figures for the gauges: due messages waiting, of them being
        retried, and the age of the oldest due one."""
        due = {"state": {"$in": _PENDING}, "next_attempt_ms": {"$lte": ms(now)}}
        backlog = await self.messages.count_documents(due)
        retrying = await self.messages.count_documents({"state": DeliveryState.RETRYING.value})
        oldest = await self.messages.find_one(
            {"state": {"$in": _PENDING}, "due_ms": {"$lte": ms(now)}},
            {"due_ms": 1},
            sort=[("due_ms", ASCENDING)],
        )
        return {
            "backlog": backlog,
            "retrying": retrying,
            "oldest_due_at": from_ms(oldest["due_ms"]) if oldest else None,
        }
