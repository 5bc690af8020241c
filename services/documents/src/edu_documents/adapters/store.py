"""The documents service's MongoDB: each document's record with its PDF in
``documents``, number counters in ``counters``, purge tombstones in ``purged``,
the download log in ``downloads``.

The PDF is a field of its record, not a GridFS file: a document is tens of
kilobytes, far below MongoDB's 16 MB document limit, and MongoDB advises a
single document below it. So the file, its record and the outbox event are one
transaction: a render and a purge are each all or nothing, and a render costs
two round trips fewer than with GridFS's files and chunks. Every read of
records leaves the PDF out (``_WITHOUT_PDF``); only a download fetches it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from edu_contracts.documents import DocumentKind
from edu_runtime.mongo import Doc
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from edu_documents.domain.model import DocumentRecord, DocumentStatus
from edu_documents.domain.numbering import counter_key, format_number

PDF = "pdf"  # the field of a record that holds its file
_WITHOUT_PDF = {PDF: 0}


def to_doc(record: DocumentRecord) -> Doc:
    doc: dict[str, Any] = record.model_dump(mode="python")
    doc["_id"] = doc.pop("id")
    return doc


def from_doc(doc: Doc) -> DocumentRecord:
    data = dict(doc)
    data["id"] = data.pop("_id")
    return DocumentRecord.model_validate(data)


class DocumentStore:
    def __init__(self, db: AsyncDatabase[Doc], *, number_block: int = 1) -> None:
        self.db = db
        self._block = max(1, number_block)
        self._numbers: dict[str, tuple[int, int]] = {}  # counter key -> (next, last reserved)
        self._numbers_lock = asyncio.Lock()
        self.documents = db["documents"]
        self.counters = db["counters"]
        self.purged = db["purged"]
        self.downloads = db["downloads"]

    async def ensure_indexes(self) -> None:
        # sparse: failed renders have no number
        await self.documents.create_index("number", unique=True, sparse=True)
        await self.documents.create_index([("reader", ASCENDING), ("created_at", DESCENDING)])
        await self.documents.create_index(
            [("institution_id", ASCENDING), ("created_at", DESCENDING)]
        )
        await self.documents.create_index("application_id")
        await self.downloads.create_index("document_id")

    # --- numbers ----------------------------------------------------------
    async def next_number(self, kind: DocumentKind, year: int) -> str:
        """The next document number. Replicas reserve blocks of numbers with one
        atomic increment of a shared counter, so no two replicas can ever hand
        out the same number; a replica that stops loses the rest of its block
        (a gap, which is harmless: numbers identify documents, they do not count
        them)."""
        key = counter_key(kind, year)
        async with self._numbers_lock:
            following, last = self._numbers.get(key, (1, 0))
            if following > last:
                counter = await self.counters.find_one_and_update(
                    {"_id": key},
                    {"$inc": {"seq": self._block}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
                assert counter is not None  # upsert with AFTER always returns the document
                last = int(counter["seq"])
                following = last - self._block + 1
            self._numbers[key] = (following + 1, last)
        return format_number(kind, year, following)

    # --- documents --------------------------------------------------------
    async def get(self, document_id: str) -> DocumentRecord | None:
        doc = await self.documents.find_one({"_id": document_id}, _WITHOUT_PDF)
        return from_doc(doc) if doc else None

    async def insert_many(
        self, records: Sequence[tuple[DocumentRecord, bytes | None]], session: AsyncClientSession
    ) -> None:
        """Records, each with its file when it was rendered (a failed render has
        none); a record whose id exists fails the whole insert (the transaction)."""
        docs = []
        for record, pdf in records:
            doc = to_doc(record)
            if pdf is not None:
                doc[PDF] = pdf
            docs.append(doc)
        if len(docs) == 1:
            await self.documents.insert_one(docs[0], session=session)
        else:
            await self.documents.insert_many(docs, session=session)

    async def existing(self, document_ids: Sequence[str]) -> set[str]:
        """Which of these documents have a record already."""
        docs = await self.documents.find({"_id": {"$in": list(document_ids)}}, {"_id": 1}).to_list()
        return {str(d["_id"]) for d in docs}

    async def read_pdf(self, document_id: str) -> bytes | None:
        doc = await self.documents.find_one({"_id": document_id}, {PDF: 1})
        pdf = doc.get(PDF) if doc else None
        return bytes(pdf) if pdf is not None else None

    async def list_for_reader(
        self, reader: str, application_id: str | None, *, limit: int, offset: int
    ) -> tuple[list[DocumentRecord], int]:
        return await self._page({"reader": reader}, application_id, limit=limit, offset=offset)

    async def list_for_institution(
        self, institution_id: str, application_id: str | None, *, limit: int, offset: int
    ) -> tuple[list[DocumentRecord], int]:
        return await self._page(
            {"institution_id": institution_id}, application_id, limit=limit, offset=offset
        )

    async def _page(
        self, query: dict[str, Any], application_id: str | None, *, limit: int, offset: int
    ) -> tuple[list[DocumentRecord], int]:
        if application_id is not None:
            query = {**query, "application_id": application_id}
        total = await self.documents.count_documents(query)
        docs = (
            await self.documents.find(query, _WITHOUT_PDF)
            .sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
            .to_list()
        )
        return [from_doc(d) for d in docs], total

    async def find_issued(self, number: str, sha256: str) -> DocumentRecord | None:
        doc = await self.documents.find_one(
            {"number": number, "sha256": sha256, "status": DocumentStatus.RENDERED.value},
            _WITHOUT_PDF,
        )
        return from_doc(doc) if doc else None

    async def log_download(
        self, document_id: str, *, viewer: str, role: str, at: dt.datetime
    ) -> None:
        """Who fetched a PDF (by pseudonym) and when: reads of personal data are logged."""
        await self.downloads.insert_one(
            {"document_id": document_id, "viewer": viewer, "role": role, "at": at}
        )

    # --- purge ------------------------------------------------------------
    async def ids_of_subject(self, kind: str, subject_id: str) -> list[str]:
        query = {"application_id": subject_id} if kind == "application" else {"_id": subject_id}
        docs = await self.documents.find(query, {"_id": 1}).to_list()
        return [str(d["_id"]) for d in docs]

    async def delete_records(self, document_ids: list[str], session: AsyncClientSession) -> int:
        if not document_ids:
            return 0
        result = await self.documents.delete_many({"_id": {"$in": document_ids}}, session=session)
        return result.deleted_count

    async def delete_downloads(self, document_ids: list[str], session: AsyncClientSession) -> int:
        if not document_ids:
            return 0
        result = await self.downloads.delete_many(
            {"document_id": {"$in": document_ids}}, session=session
        )
        return result.deleted_count

    async def mark_purged(
        self, kind: str, subject_id: str, at: dt.datetime, session: AsyncClientSession
    ) -> None:
        """Remember the purge (ids only, no personal data) so that a late render
        command for the same subject cannot bring its documents back."""
        key = f"{kind}:{subject_id}"
        await self.purged.replace_one(
            {"_id": key}, {"_id": key, "purged_at": at}, upsert=True, session=session
        )

    async def purged_among(self, subjects: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (kind, id) subjects were purged."""
        keys = {f"{kind}:{subject_id}": (kind, subject_id) for kind, subject_id in subjects}
        if not keys:
            return set()
        found = await self.purged.find({"_id": {"$in": list(keys)}}, {"_id": 1}).to_list()
        return {keys[str(d["_id"])] for d in found}
