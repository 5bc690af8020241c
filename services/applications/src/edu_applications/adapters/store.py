"""Applications' MongoDB collections. Each application is stored whole with an
optimistic version check; a few top-level fields are copies kept for queries.

- ``applications``: the aggregates
- ``open_slots``: one document per learner and resource type with an open
  application; its unique ``_id`` is what makes "one open application per
  learner and resource type" hold under concurrent submits
- ``terms_acceptances``: who accepted which terms version
- ``sent_messages``: what notifications sent about each application
  (``sent_store.py``); only deleted here, with the application
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from edu_runtime.group_read import GroupRead
from edu_runtime.mongo import DUPLICATE_KEY, Doc, StaleVersion, bson_safe
from pymongo import ASCENDING, DESCENDING, DeleteOne, InsertOne, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from edu_applications.adapters.documents import read_page
from edu_applications.adapters.inbox_fields import QUERY_FIELDS, query_fields
from edu_applications.adapters.sent_store import SENT_MESSAGES
from edu_applications.domain.model import Application
from edu_applications.domain.statuses import OPEN


def search_key(text: str | None) -> str:
    """Case- and diacritic-insensitive form of a name: 'Bērziņš' → 'berzins'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def to_doc(app: Application) -> Doc:
    doc: dict[str, Any] = bson_safe(app.model_dump(mode="python"))
    doc["_id"] = str(doc.pop("id"))
    if doc.get("reference") is None:
        # absent, not null: the sparse unique index skips only missing fields
        doc.pop("reference", None)
    doc["applicant_code"] = app.applicant.personal_code
    doc["learner_code"] = app.learner.personal_code
    doc["institution_id"] = app.institution_id
    doc["learner_search"] = search_key(app.learner.full_name)
    doc.update(query_fields(app))  # what the staff lists filter and sort on
    return doc


def from_doc(doc: Doc) -> Application:
    data = {
        k: v
        for k, v in doc.items()
        if k not in {"applicant_code", "learner_code", "institution_id", "learner_search"}
        and k not in QUERY_FIELDS
    }
    data["id"] = data.pop("_id")
    return Application.model_validate(data)


class SlotTaken(Exception):
    def __init__(self, application_id: str) -> None:
        super().__init__(application_id)
        self.application_id = application_id


class ReferenceTaken(Exception):
    """A new application's reference is already another's (unique index)."""


class ApplicationStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.applications = db["applications"]
        self.slots = db["open_slots"]
        self.terms = db["terms_acceptances"]
        self.sent_messages = db[SENT_MESSAGES]  # the read model of what was sent about each
        # Every request about one application reads it first: under load
        # concurrent requests' reads go together (edu_runtime.group_read).
        self._reads: GroupRead[str, Doc] = GroupRead(self._docs_by_id)

    async def ensure_indexes(self) -> None:
        await self.applications.create_index(
            [("applicant_code", ASCENDING), ("created_at", DESCENDING)]
        )
        await self.applications.create_index(
            [("institution_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)]
        )
        await self.slots.create_index("application_id")
        # sparse: applications stored before references existed have none
        await self.applications.create_index("reference", unique=True, sparse=True)

    # --- aggregates ------------------------------------------------------
    async def apply(
        self,
        changes: Sequence[tuple[Application | None, Application, bool]],
        session: AsyncClientSession,
    ) -> None:
        """Store each change (stored form or None for a new one, changed form,
        whether it takes its open slot), all or none: StaleVersion if an
        application changed meanwhile, SlotTaken if a slot is held by another.
        A closed application gives its slot back."""
        if not changes:
            return
        ops: list[InsertOne[Doc] | ReplaceOne[Doc]] = [
            InsertOne(to_doc(after))
            if before is None
            else ReplaceOne({"_id": str(before.id), "version": before.version}, to_doc(after))
            for before, after, _ in changes
        ]
        # Unordered: one insert and one update command, whatever the mix.
        try:
            result = await self.applications.bulk_write(ops, ordered=False, session=session)
        except BulkWriteError as err:
            # The only unique key a new application can hit is its reference
            # (its _id is a random UUID; replacements keep theirs).
            codes = {e.get("code") for e in err.details.get("writeErrors") or ()}
            if codes == {DUPLICATE_KEY}:
                raise ReferenceTaken() from None
            raise
        if result.inserted_count + result.matched_count != len(ops):
            raise StaleVersion("an application changed meanwhile")
        slot_ops: list[InsertOne[Doc] | DeleteOne] = []
        slots: list[str] = []  # the slot of each op
        for _, after, take in changes:
            if not after.open_slot:
                continue
            mine = {"_id": after.open_slot, "application_id": str(after.id)}
            if take:
                slot_ops.append(InsertOne(mine))
                slots.append(after.open_slot)
            if after.status not in OPEN:
                slot_ops.append(DeleteOne(mine))
                slots.append(after.open_slot)
        if not slot_ops:
            return
        try:
            await self.slots.bulk_write(slot_ops, ordered=True, session=session)
        except BulkWriteError as err:
            failed = (err.details.get("writeErrors") or [{}])[0]
            if failed.get("code") != DUPLICATE_KEY:
                raise
            raise SlotTaken(await self.holder_of(slots[failed["index"]]) or "unknown") from None

    async def get_many(
        self, app_ids: Iterable[str], session: AsyncClientSession | None = None
    ) -> dict[str, Application]:
        wanted = sorted(set(app_ids))
        if not wanted:
            return {}
        docs = await self._docs_by_id(wanted, session)
        return {app_id: from_doc(doc) for app_id, doc in docs.items()}

    async def get(
        self, app_id: str, session: AsyncClientSession | None = None
    ) -> Application | None:
        """The application; outside a transaction read together with
        concurrent requests' reads."""
        if session is None:
            doc = await self._reads.get(app_id)
        else:
            doc = await self.applications.find_one({"_id": app_id}, session=session)
        return from_doc(doc) if doc else None

    async def _docs_by_id(
        self, app_ids: Sequence[str], session: AsyncClientSession | None = None
    ) -> dict[str, Doc]:
        query = {"_id": {"$in": list(app_ids)}}
        docs = await self.applications.find(query, session=session).to_list()
        return {str(d["_id"]): d for d in docs}

    async def list_for_applicant(
        self, code: str, limit: int, offset: int
    ) -> tuple[list[Application], int]:
        query = {"applicant_code": code}
        docs, total = await read_page(
            self.applications, query, "created_at", limit=limit, offset=offset
        )
        return [from_doc(d) for d in docs], total

    async def list_for_institution(
        self, institution_id: str, statuses: list[str], name: str | None, limit: int, offset: int
    ) -> tuple[list[Application], int]:
        query: dict[str, Any] = {"institution_id": institution_id, "status": {"$in": statuses}}
        docs = await self.applications.find(query).sort("created_at", DESCENDING).to_list()
        if name:
            # Filtered here rather than with $regex: accent-insensitive, and the
            # embedded server's regex support is not something to lean on.
            needle = search_key(name)
            docs = [d for d in docs if needle in d.get("learner_search", "")]
        return [from_doc(d) for d in docs[offset : offset + limit]], len(docs)

    async def delete(self, app_id: str, session: AsyncClientSession) -> dict[str, int]:
        apps = await self.applications.delete_one({"_id": app_id}, session=session)
        slots = await self.slots.delete_many({"application_id": app_id}, session=session)
        sent = await self.sent_messages.delete_many({"application_id": app_id}, session=session)
        return {
            "applications": apps.deleted_count,
            "open_slots": slots.deleted_count,
            SENT_MESSAGES: sent.deleted_count,
        }

    # --- one open application per learner and resource type ---------------
    async def holder_of(self, slot: str) -> str | None:
        doc = await self.slots.find_one({"_id": slot})
        return str(doc["application_id"]) if doc else None

    # --- terms -------------------------------------------------------------
    async def accept_terms(self, subject: str, version: str, at: dt.datetime) -> None:
        key = f"{subject}:{version}"
        # _id repeated in the replacement: nx-27017 does not copy it from the filter on upsert.
        await self.terms.replace_one(
            {"_id": key},
            {"_id": key, "subject": subject, "version": version, "accepted_at": at},
            upsert=True,
        )

    async def has_accepted(self, subject: str, version: str) -> bool:
        return await self.terms.find_one({"_id": f"{subject}:{version}"}) is not None
