"""MongoDB access of registry-reader: the register replica (read-only here),
terms acceptances and the access log."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from edu_contracts.my_data import AccessLogEntry, AccessLogPage, RepresentationBasis
from edu_runtime.group_commit import GroupCommit
from edu_runtime.mongo import Doc
from edu_runtime.pseudonym import Pseudonymizer
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from edu_registry_reader.domain.records import (
    AT_INSTITUTION,
    PERSONAL,
    EducationDocumentRecord,
    EmploymentRecord,
    EnrolmentRecord,
    InstitutionRecord,
    PersonRecord,
    PreschoolQueueRecord,
    Record,
    RepresentationRecord,
    ResourceOfferRecord,
    ScholarshipRecord,
)
from edu_registry_reader.domain.views import VIEWS, PersonView, build_views, view_of

R = TypeVar("R", bound=Record)

TERMS = "terms_acceptances"
ACCESS_LOG = "access_log"

# Every lookup path of the registers, and of our own two collections.
INDEXES: dict[str, list[list[tuple[str, int]]]] = {
    RepresentationRecord.COLLECTION: [
        [("representative_code", ASCENDING), ("represented_code", ASCENDING)],
        [("represented_code", ASCENDING)],
    ],
    EnrolmentRecord.COLLECTION: [
        [("learner_code", ASCENDING)],
        [("institution_id", ASCENDING)],
    ],
    EmploymentRecord.COLLECTION: [[("person_code", ASCENDING)], [("institution_id", ASCENDING)]],
    EducationDocumentRecord.COLLECTION: [[("holder_code", ASCENDING)]],
    ScholarshipRecord.COLLECTION: [[("learner_code", ASCENDING)]],
    PreschoolQueueRecord.COLLECTION: [[("child_code", ASCENDING)]],
    ResourceOfferRecord.COLLECTION: [[("institution_id", ASCENDING)]],
    ACCESS_LOG: [[("subject_key", ASCENDING), ("at", DESCENDING)]],
}
"""persons, institutions, resource_offers and terms are read by ``_id``."""


@dataclass(frozen=True)
class AccessRecord:
    """One read of someone's personal data (the access log is personal data
    itself: codes are stored as keyed pseudonyms, the viewer's name in clear
    because that is what the subject is shown)."""

    subject_code: str
    viewer_code: str
    viewer_name: str
    basis: RepresentationBasis
    blocks: tuple[str, ...]
    purpose: str
    at: dt.datetime


class RegisterStore:
    def __init__(
        self,
        db: AsyncDatabase[Doc],
        pseudonymize: Pseudonymizer,
        *,
        observe_log_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._db = db
        self._pseudo = pseudonymize
        access_log = db[ACCESS_LOG]

        async def insert(docs: Sequence[Doc]) -> None:
            await access_log.insert_many(list(docs), ordered=False)

        # Reads are logged durably before they are answered; under load one
        # insert carries the entries of many requests.
        self._log_batcher: GroupCommit[Doc] = GroupCommit(
            insert, max_batch=500, observe=observe_log_batch
        )

    async def ensure_indexes(self) -> None:
        for collection, indexes in INDEXES.items():
            for keys in indexes:
                await self._db[collection].create_index(keys)

    # --- register reads -----------------------------------------------------
    async def _find(self, model: type[R], query: dict[str, Any]) -> list[R]:
        return [model.from_doc(d) async for d in self._db[model.COLLECTION].find(query)]

    async def person(self, code: str) -> PersonRecord | None:
        doc = await self._db[PersonRecord.COLLECTION].find_one({"_id": code})
        return PersonRecord.from_doc(doc) if doc else None

    async def _by_id(self, model: type[R], ids: Iterable[str]) -> dict[str, R]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        found = await self._find(model, {"_id": {"$in": wanted}})
        return {r.record_id(): r for r in found}

    async def persons(self, codes: Iterable[str]) -> dict[str, PersonRecord]:
        return await self._by_id(PersonRecord, codes)

    async def relations(self, representative: str, represented: str) -> list[RepresentationRecord]:
        return await self._find(
            RepresentationRecord,
            {"representative_code": representative, "represented_code": represented},
        )

    async def relations_of(self, representative: str) -> list[RepresentationRecord]:
        return await self._find(RepresentationRecord, {"representative_code": representative})

    async def enrolments(self, learner: str) -> list[EnrolmentRecord]:
        return await self._find(EnrolmentRecord, {"learner_code": learner})

    async def employments(self, person: str) -> list[EmploymentRecord]:
        return await self._find(EmploymentRecord, {"person_code": person})

    async def institution(self, institution_id: str) -> InstitutionRecord | None:
        doc = await self._db[InstitutionRecord.COLLECTION].find_one({"_id": institution_id})
        return InstitutionRecord.from_doc(doc) if doc else None

    async def institutions(self, ids: Iterable[str]) -> dict[str, InstitutionRecord]:
        return await self._by_id(InstitutionRecord, ids)

    async def offers(self, institution_id: str) -> list[ResourceOfferRecord]:
        found = await self._find(ResourceOfferRecord, {"institution_id": institution_id})
        return sorted(found, key=lambda o: o.offer_id)

    async def offers_by_id(self, ids: Iterable[str]) -> dict[str, ResourceOfferRecord]:
        return await self._by_id(ResourceOfferRecord, ids)

    async def view(self, code: str) -> PersonView:
        """The person's read model; built from the registers when there is
        none (records written straight into the registers, or an unknown code)."""
        doc = await self._db[VIEWS].find_one({"_id": code})
        if doc is not None:
            return view_of(doc)
        return await self.live_view(code)

    async def live_view(self, code: str) -> PersonView:
        records: list[Record] = []
        for model, field_name in PERSONAL.items():
            records += await self._find(model, {field_name: code})
        ids = {r.institution_id for r in records if isinstance(r, AT_INSTITUTION)}
        return build_views(records, await self.institutions(ids)).get(code, PersonView())

    # --- terms --------------------------------------------------------------
    def _terms_id(self, code: str, version: str) -> str:
        return f"{self._pseudo(code)}:{version}"

    async def accept_terms(self, code: str, version: str, at: dt.datetime) -> None:
        key = self._terms_id(code, version)
        await self._db[TERMS].replace_one(
            {"_id": key}, {"_id": key, "version": version, "accepted_at": at}, upsert=True
        )

    async def has_accepted(self, code: str, version: str) -> bool:
        return await self._db[TERMS].find_one({"_id": self._terms_id(code, version)}) is not None

    # --- access log ---------------------------------------------------------
    def _access_doc(self, entry: AccessRecord) -> Doc:
        return {
            "_id": str(uuid.uuid4()),
            "subject_key": self._pseudo(entry.subject_code),
            "viewer_key": self._pseudo(entry.viewer_code),
            "viewer_name": entry.viewer_name,
            "basis": entry.basis.value,
            "blocks": list(entry.blocks),
            "purpose": entry.purpose,
            "at": entry.at,
        }

    async def log_access(
        self, entries: Sequence[AccessRecord], session: AsyncClientSession | None = None
    ) -> None:
        """Durably log ``entries`` before returning: within the caller's unit of
        work (``session``) when the read goes with other writes, else sharing one
        insert with the requests that arrive meanwhile (group commit): under load
        one write carries many entries; when idle it costs nothing extra."""
        docs = [self._access_doc(e) for e in entries]
        if not docs:
            return
        if session is not None:
            await self._db[ACCESS_LOG].insert_many(docs, session=session)
        else:
            await asyncio.gather(*(self._log_batcher.write(d) for d in docs))

    async def access_log(self, subject_code: str, *, limit: int, offset: int) -> AccessLogPage:
        subject_key = self._pseudo(subject_code)
        query = {"subject_key": subject_key}
        collection = self._db[ACCESS_LOG]
        total = await collection.count_documents(query)
        cursor = collection.find(query).sort("at", DESCENDING).skip(offset).limit(limit)
        items = [
            AccessLogEntry(
                viewed_at=d["at"],
                viewer_name=d["viewer_name"],
                viewer_is_self=d["viewer_key"] == subject_key,
                basis=RepresentationBasis(d["basis"]),
                blocks=tuple(d["blocks"]),
                purpose=d["purpose"],
            )
            async for d in cursor
        ]
        return AccessLogPage(items=tuple(items), total=total, limit=limit, offset=offset)
