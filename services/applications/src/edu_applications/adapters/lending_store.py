"""MongoDB collections of the lending settings: ``lending_settings`` (one
aggregate per institution, ``_id`` = institution id, replaced whole with a
version check) and ``lending_audit`` (one entry per change, newest first per
institution)."""

from __future__ import annotations

from typing import Any

from edu_runtime.mongo import Doc, StaleVersion, bson_safe, replace_versioned
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from edu_applications.adapters.documents import ensure_collection, model_of, read_page
from edu_applications.domain.lending import AuditEntry, LendingSettings


def _settings_doc(settings: LendingSettings) -> Doc:
    doc: dict[str, Any] = bson_safe(settings.model_dump(mode="python"))
    doc["_id"] = settings.institution_id
    return doc


def _audit_doc(entry: AuditEntry) -> Doc:
    doc: dict[str, Any] = bson_safe(entry.model_dump(mode="python"))
    doc["_id"] = str(doc.pop("id"))
    return doc


class LendingSettingsStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db
        self.settings = db["lending_settings"]
        self.audit = db["lending_audit"]

    async def ensure_indexes(self) -> None:
        await ensure_collection(self._db, "lending_settings")
        await self.audit.create_index([("institution_id", ASCENDING), ("at", DESCENDING)])

    async def get(
        self, institution_id: str, session: AsyncClientSession | None = None
    ) -> LendingSettings | None:
        doc = await self.settings.find_one({"_id": institution_id}, session=session)
        return None if doc is None else model_of(LendingSettings, doc, None)

    async def save(
        self,
        before_version: int,
        after: LendingSettings,
        entry: AuditEntry,
        session: AsyncClientSession,
    ) -> None:
        """Store ``after`` if the stored version is still ``before_version``
        (0: none stored yet), with its audit entry; StaleVersion otherwise."""
        doc = _settings_doc(after)
        if before_version == 0:
            try:
                await self.settings.insert_one(doc, session=session)
            except DuplicateKeyError:
                raise StaleVersion(after.institution_id) from None
        else:
            await replace_versioned(
                self.settings, doc, expected_version=before_version, session=session
            )
        await self.audit.insert_one(_audit_doc(entry), session=session)

    async def history(
        self, institution_id: str, *, limit: int, offset: int
    ) -> tuple[list[AuditEntry], int]:
        query = {"institution_id": institution_id}
        docs, total = await read_page(self.audit, query, "at", limit=limit, offset=offset)
        return [model_of(AuditEntry, d, "id") for d in docs], total
