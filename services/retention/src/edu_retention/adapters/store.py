"""Retention's MongoDB collections."""

from __future__ import annotations

from edu_contracts.applications import StatusChangedPayload
from edu_runtime.mongo import Doc
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase


class RetentionStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.tracked = db["tracked_applications"]

    async def ensure_indexes(self) -> None:
        await self.tracked.create_index("status")

    async def track_status(self, change: StatusChangedPayload, session: AsyncClientSession) -> None:
        """Remember an application's latest status; older (out-of-order) changes lose."""
        key = str(change.application_id)
        current = await self.tracked.find_one({"_id": key}, session=session)
        if current is not None and current["version"] >= change.version:
            return
        doc = {
            "_id": key,
            "status": change.to_status.value,
            "version": change.version,
            "institution_id": change.institution_id,
            "changed_at": change.changed_at,
            "events_applied": (current or {}).get("events_applied", 0) + 1,
        }
        await self.tracked.replace_one({"_id": key}, doc, upsert=True, session=session)
