"""What notifications keeps for the institutions' daily digests (MongoDB):

- ``institution_contacts``: per institution, the digest address from its newest
  lending settings (``_id`` = institution id, with the settings' version).
- ``daily_submissions``: the applications that became submitted, per
  institution and Riga day (``_id`` = institution:day:application, so a
  redelivered event adds nothing): the application's id and number only.
  Deleted with the application on its purge order.

The digest message itself is an ordinary message in ``messages`` (see
``store.py``), keyed by institution and day.
"""

from __future__ import annotations

import datetime as dt
import time

from edu_runtime.mongo import Doc
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from edu_notifications.adapters.store import message_doc
from edu_notifications.domain.delivery import DeliveryState
from edu_notifications.domain.digest import InstitutionContact, Submission
from edu_notifications.domain.messages import Message

# A digest still waiting for its morning (or cancelled, when the school had
# removed its address and has set one again) is replaced; one being retried,
# sent or failed stays as it was.
_REPLACEABLE = [DeliveryState.QUEUED.value, DeliveryState.CANCELLED.value]


class DigestStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.messages = db["messages"]
        self.contacts = db["institution_contacts"]
        self.submissions = db["daily_submissions"]

    async def ensure_indexes(self) -> None:
        # Creating the indexes creates the collections up front: nx-27017 loses
        # the transaction when a collection is created implicitly inside one.
        await self.contacts.create_index([("version", ASCENDING)])
        await self.submissions.create_index(
            [("institution_id", ASCENDING), ("day", ASCENDING), ("seq", ASCENDING)]
        )
        await self.submissions.create_index([("application_id", ASCENDING)])

    async def contact(
        self, institution_id: str, session: AsyncClientSession | None = None
    ) -> InstitutionContact | None:
        doc = await self.contacts.find_one({"_id": institution_id}, session=session)
        if doc is None:
            return None
        return InstitutionContact.model_validate({k: v for k, v in doc.items() if k != "_id"})

    async def save_contact(self, contact: InstitutionContact, session: AsyncClientSession) -> None:
        doc = contact.model_dump(mode="json") | {"_id": contact.institution_id}
        await self.contacts.replace_one(
            {"_id": contact.institution_id}, doc, upsert=True, session=session
        )

    async def add(self, s: Submission, session: AsyncClientSession) -> None:
        """Record the submission once (its id names institution, day and application)."""
        key = f"{s.institution_id}:{s.day.isoformat()}:{s.application_id}"
        doc = s.model_dump(mode="json") | {"_id": key, "seq": time.time_ns()}
        await self.submissions.update_one(
            {"_id": key}, {"$setOnInsert": doc}, upsert=True, session=session
        )

    async def of_day(
        self, institution_id: str, day: dt.date, session: AsyncClientSession | None = None
    ) -> list[Submission]:
        docs = await self.submissions.find(
            {"institution_id": institution_id, "day": day.isoformat()},
            sort=[("seq", ASCENDING)],
            session=session,
        ).to_list()
        return [
            Submission.model_validate({k: v for k, v in d.items() if k not in ("_id", "seq")})
            for d in docs
        ]

    async def put_digest(self, m: Message, now: dt.datetime, session: AsyncClientSession) -> None:
        """Queue the digest, or replace the one queued under its key (see ``_REPLACEABLE``)."""
        doc = message_doc(m, now)
        await self.messages.update_one(
            {"_id": m.key, "state": {"$in": _REPLACEABLE}},
            {"$set": {k: v for k, v in doc.items() if k != "_id"}},
            session=session,
        )
        await self.messages.update_one(
            {"_id": m.key}, {"$setOnInsert": doc}, upsert=True, session=session
        )

    async def forget(self, application_id: str, session: AsyncClientSession) -> int:
        deleted = await self.submissions.delete_many(
            {"application_id": application_id}, session=session
        )
        return deleted.deleted_count
