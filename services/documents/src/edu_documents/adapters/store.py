"""The documents service's MongoDB: PDFs in GridFS, their metadata in
``documents``, number counters in ``counters``, purge tombstones in ``purged``.

GridFS cannot take part in a multi-document transaction (PyMongo refuses), so
the order of writes is chosen to be safe without one:

- render: file first (its id is the document id), then metadata + outbox event
  in one transaction. The metadata is the commit point: a file without metadata
  (a crash in between) is never served and is replaced by the retry.
- purge: files first, then metadata + confirmation in one transaction. A crash
  in between leaves metadata whose file is gone; the redelivered order finishes
  the job. Personal data never outlives the confirmation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from bson import Binary
from edu_contracts.documents import DocumentKind
from edu_runtime.mongo import Doc
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from edu_documents.domain.model import DocumentRecord, DocumentStatus
from edu_documents.domain.numbering import counter_key, format_number

BUCKET = "pdf"
CHUNK_SIZE = 255 * 1024  # GridFS default


class AlreadyStored(Exception):
    """Another delivery of the same command stored this document first."""


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
        self.files = db[f"{BUCKET}.files"]
        self.chunks = db[f"{BUCKET}.chunks"]
        self.bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)

    async def ensure_indexes(self) -> None:
        # sparse: failed renders have no number
        await self.documents.create_index("number", unique=True, sparse=True)
        await self.documents.create_index([("reader", ASCENDING), ("created_at", DESCENDING)])
        await self.documents.create_index(
            [("institution_id", ASCENDING), ("created_at", DESCENDING)]
        )
        await self.documents.create_index("application_id")
        await self.downloads.create_index("document_id")
        # What a GridFS upload stream would have created on first use.
        await self.chunks.create_index([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)
        await self.files.create_index([("filename", ASCENDING), ("uploadDate", ASCENDING)])

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
        doc = await self.documents.find_one({"_id": document_id})
        return from_doc(doc) if doc else None

    async def exists(self, document_id: str) -> bool:
        return await self.documents.find_one({"_id": document_id}, {"_id": 1}) is not None

    async def put_file(self, document_id: str, pdf: bytes, *, number: str) -> None:
        """Store the PDF in GridFS layout under the document id.

        Written with two plain inserts (chunks, then the files document that makes
        the file visible) instead of a GridFS upload stream, which costs five times
        as many round trips. A leftover of a failed earlier attempt (its metadata
        never committed) is removed and the write repeated.
        """
        try:
            await self._write_file(document_id, pdf, number)
        except (DuplicateKeyError, OperationFailure):
            if await self.exists(document_id):
                raise AlreadyStored(document_id) from None  # never replace a committed file
            await self._delete_file(document_id)
            await self._write_file(document_id, pdf, number)

    async def _write_file(self, document_id: str, pdf: bytes, number: str) -> None:
        chunks = [
            {"files_id": document_id, "n": n, "data": Binary(pdf[offset : offset + CHUNK_SIZE])}
            for n, offset in enumerate(range(0, len(pdf), CHUNK_SIZE))
        ]
        if len(chunks) == 1:
            await self.chunks.insert_one(chunks[0])
        else:
            await self.chunks.insert_many(chunks)
        await self.files.insert_one(
            {
                "_id": document_id,
                "length": len(pdf),
                "chunkSize": CHUNK_SIZE,
                "uploadDate": dt.datetime.now(dt.UTC),
                "filename": f"{number}.pdf",
                "metadata": {"contentType": "application/pdf"},
            }
        )

    async def insert(self, record: DocumentRecord, session: AsyncClientSession) -> None:
        await self.documents.insert_one(to_doc(record), session=session)

    async def read_pdf(self, document_id: str) -> bytes | None:
        try:
            stream = await self.bucket.open_download_stream(document_id)
        except NoFile:
            return None
        data: bytes = await stream.read()
        return data

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
            await self.documents.find(query)
            .sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
            .to_list()
        )
        return [from_doc(d) for d in docs], total

    async def find_issued(self, number: str, sha256: str) -> DocumentRecord | None:
        doc = await self.documents.find_one(
            {"number": number, "sha256": sha256, "status": DocumentStatus.RENDERED.value}
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

    async def delete_files(self, document_ids: list[str]) -> tuple[int, int]:
        """Delete the PDFs; returns (files, chunks) deleted."""
        files = chunks = 0
        for document_id in document_ids:
            # count with find: the embedded server cannot count GridFS collections
            found = await self.chunks.find({"files_id": document_id}, {"_id": 1}).to_list()
            if await self._delete_file(document_id):
                files += 1
                chunks += len(found)
        return files, chunks

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

    async def any_purged(self, *subjects: tuple[str, str]) -> bool:
        keys = [f"{kind}:{subject_id}" for kind, subject_id in subjects]
        return await self.purged.find_one({"_id": {"$in": keys}}, {"_id": 1}) is not None

    async def _delete_file(self, document_id: str) -> bool:
        # Look first: the embedded server answers a delete of a missing file with
        # an error of its own instead of the NoFile PyMongo raises.
        if await self.files.find_one({"_id": document_id}, {"_id": 1}) is None:
            return False
        try:
            await self.bucket.delete(document_id)
        except NoFile:
            return False
        return True
