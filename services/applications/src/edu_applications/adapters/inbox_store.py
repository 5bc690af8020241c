"""The staff lists, filtered, sorted and paged by the database: the inbox
(counts per status, filters, name search, sorting) and the issued items.

Every query is one aggregation of equality matches (plus a regex on the
folded learner name when searching, or the reference's equality), ``$sort``, ``$skip``, ``$limit``: the
shape the embedded server answers from its indexes (see ``inbox_fields``)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from edu_contracts.applications import ApplicationStatus
from edu_contracts.staff_api import InboxSort as InboxSort  # noqa: PLC0414
from edu_contracts.staff_api import IssuedItemState as ItemState
from edu_runtime.mongo import Doc
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from edu_applications.adapters.inbox_fields import query_fields
from edu_applications.adapters.store import from_doc, search_key, to_doc
from edu_applications.domain.items import StockKey
from edu_applications.domain.model import Application
from edu_applications.domain.reference import PATTERN as REFERENCE
from edu_applications.domain.reference import normalized

log = logging.getLogger(__name__)


_SORTS: dict[InboxSort, list[tuple[str, int]]] = {
    InboxSort.NEWEST: [("submitted_at", DESCENDING), ("_id", ASCENDING)],
    InboxSort.OLDEST: [("submitted_at", ASCENDING), ("_id", ASCENDING)],
    InboxSort.NAME: [("learner_search", ASCENDING), ("_id", ASCENDING)],
    InboxSort.UPDATED: [("updated_at", DESCENDING), ("_id", ASCENDING)],
    InboxSort.STATUS: [("status", ASCENDING), ("submitted_at", DESCENDING), ("_id", ASCENDING)],
}


@dataclass(frozen=True)
class InboxFilter:
    institution_id: str
    status: ApplicationStatus | None = None
    class_group: str | None = None
    resource_type: str | None = None
    socially_supported: bool | None = None
    open_incident: bool | None = None
    name: str | None = None

    def match(self, *, with_status: bool = True) -> dict[str, Any]:
        query: dict[str, Any] = {"inbox_institution": self.institution_id}
        if with_status and self.status is not None:
            query["status"] = self.status.value
        if self.class_group is not None:
            query["class_group"] = self.class_group
        if self.resource_type is not None:
            query["resource_type"] = self.resource_type
        if self.socially_supported is not None:
            query["socially_supported"] = self.socially_supported
        if self.open_incident is not None:
            query["open_incident"] = self.open_incident
        reference = normalized(self.name) if self.name else ""
        needle = search_key(self.name).strip() if self.name else ""
        if REFERENCE.match(reference):  # a reference typed into the search box
            query["reference"] = reference
        elif needle:
            query["learner_search"] = {"$regex": re.escape(needle)}
        return query


class InboxStore:
    def __init__(self, applications: AsyncCollection[Doc]) -> None:
        self.applications = applications

    async def ensure_indexes(self) -> None:
        for keys in (
            [("inbox_institution", ASCENDING), ("submitted_at", DESCENDING)],
            [("inbox_institution", ASCENDING), ("status", ASCENDING), ("submitted_at", DESCENDING)],
            [("inbox_institution", ASCENDING), ("has_item", ASCENDING), ("issued_at", DESCENDING)],
        ):
            await self.applications.create_index(keys)

    async def backfill(self) -> None:
        """Write the query fields into applications stored before they existed
        (a no-op once done: one query that finds nothing)."""
        # The newest query field: an application stored before it lacks it.
        stale = await self.applications.find(
            {"awaiting_item": {"$exists": False}}, {"_id": 1, "version": 1}
        ).to_list()
        done = 0
        for ref in stale:
            doc = await self.applications.find_one({"_id": ref["_id"]})
            if doc is None:
                continue
            fresh = to_doc(from_doc(doc))
            result = await self.applications.replace_one(
                {"_id": ref["_id"], "version": doc.get("version")}, fresh
            )
            done += result.modified_count
        if done:
            log.info("inbox query fields written", extra={"applications": done})

    async def _aggregate(self, pipeline: list[dict[str, Any]]) -> list[Doc]:
        cursor = await self.applications.aggregate(pipeline)
        return await cursor.to_list()

    async def counts(self, where: InboxFilter) -> dict[str, int]:
        """Applications per status under every filter but the status one."""
        rows = await self._aggregate(
            [
                {"$match": where.match(with_status=False)},
                {"$group": {"_id": "$status", "n": {"$sum": 1}}},
            ]
        )
        return {str(r["_id"]): int(r["n"]) for r in rows}

    async def page(
        self, where: InboxFilter, sort: InboxSort, *, limit: int, offset: int
    ) -> list[Application]:
        docs = await self._aggregate(
            [
                {"$match": where.match()},
                {"$sort": dict(_SORTS[sort])},
                {"$skip": offset},
                {"$limit": limit},
            ]
        )
        return [from_doc(d) for d in docs]

    async def awaiting_items(self, institution_id: str) -> dict[StockKey, int]:
        """How many granted applications still wait for an item, per stock
        (``count_stock``'s ``awaiting``). Granted means no item yet: the item
        comes with ready for issue. Counted by the database on the flat
        ``awaiting_item`` field (``inbox_fields``), which a resource type the
        register does not hold leaves empty."""
        rows = await self._aggregate(
            [
                {
                    "$match": {
                        "inbox_institution": institution_id,
                        "status": ApplicationStatus.GRANTED.value,
                    }
                },
                {"$group": {"_id": "$awaiting_item", "n": {"$sum": 1}}},
            ]
        )
        return {StockKey.from_code(r["_id"]): int(r["n"]) for r in rows if r["_id"]}

    async def issued_items(
        self, institution_id: str, state: ItemState | None, *, limit: int, offset: int
    ) -> tuple[list[Application], int]:
        match: dict[str, Any] = {"inbox_institution": institution_id, "has_item": True}
        if state is ItemState.READY:
            match["status"] = ApplicationStatus.READY_FOR_ISSUE.value
        elif state is ItemState.ISSUED:
            match["status"] = ApplicationStatus.ISSUED.value
        elif state is ItemState.RETURNED:
            match["status"] = ApplicationStatus.RETURNED.value
        elif state is ItemState.INCIDENT:
            match["open_incident"] = True
        total_rows = await self._aggregate(
            [{"$match": match}, {"$group": {"_id": None, "n": {"$sum": 1}}}]
        )
        docs = await self._aggregate(
            [
                {"$match": match},
                {"$sort": {"issued_at": DESCENDING, "updated_at": DESCENDING, "_id": ASCENDING}},
                {"$skip": offset},
                {"$limit": limit},
            ]
        )
        total = int(total_rows[0]["n"]) if total_rows else 0
        return [from_doc(d) for d in docs], total


__all__ = ["InboxFilter", "InboxSort", "InboxStore", "ItemState", "query_fields"]
