"""MongoDB collection of the item register: ``items``, one document per item
(``_id`` = item id) with its whole history, replaced whole with a version
check, so two staff members moving the same item at once: one wins, the
other gets ``StaleVersion``.

Inventory numbers are unique in an institution and serial numbers unique in
the register, compared without case (``*_key`` fields, unique indexes): the
index, not a read before the write, is what keeps an item from being
registered twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict
from uuid import UUID

from edu_contracts.items import ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_runtime.mongo import Doc, bson_safe, replace_versioned
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from edu_applications.adapters.documents import ensure_collection, model_of
from edu_applications.domain.items import Item, StockKey


class ItemFilters(TypedDict, total=False):
    """``ItemStore.search``'s filters and page, as the use cases pass them on."""

    text: str
    states: Sequence[ItemState]
    resource_type: LendingResourceType | None
    target_group: ResourceTargetGroup | None
    limit: int
    offset: int


class NumberTaken(Exception):
    """An inventory or serial number is registered already (someone else's
    import or form got there first)."""


def number_key(value: str) -> str:
    """How two inventory or serial numbers are compared: no case, no spaces."""
    return "".join(value.split()).casefold()


def _doc(item: Item) -> Doc:
    doc: dict[str, Any] = bson_safe(item.model_dump(mode="python"))
    doc["_id"] = str(doc.pop("item_id"))
    doc["inventory_key"] = number_key(item.inventory_number)
    doc["serial_key"] = number_key(item.serial_number)
    # Top level, not history.application_id: the embedded nx-27017 does not
    # match a path into an array of documents (measured).
    return doc


def _item(doc: Doc) -> Item:
    return model_of(Item, doc, "item_id", drop=("inventory_key", "serial_key"))


class ItemStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db
        self.items = db["items"]

    async def ensure_indexes(self) -> None:
        await ensure_collection(self._db, "items")
        await self.items.create_index(
            [("institution_id", ASCENDING), ("inventory_key", ASCENDING)], unique=True
        )
        await self.items.create_index([("serial_key", ASCENDING)], unique=True)
        # nx-27017 uses single-field indexes only (a compound one is never
        # picked, measured): these serve the institution's pages and the
        # search by number prefix.
        await self.items.create_index([("institution_id", ASCENDING)])
        await self.items.create_index([("inventory_key", ASCENDING)])
        await self.items.create_index(
            [("institution_id", ASCENDING), ("resource_type", ASCENDING), ("state", ASCENDING)]
        )

    async def add_all(self, items: Sequence[Item], session: AsyncClientSession) -> None:
        """All or none (the caller's transaction); ``NumberTaken`` if a number
        is registered already."""
        if not items:
            return
        try:
            await self.items.insert_many([_doc(i) for i in items], session=session)
        except DuplicateKeyError as exc:
            raise NumberTaken(str(exc)) from None
        except BulkWriteError as exc:
            if any(e.get("code") == 11000 for e in exc.details.get("writeErrors", [])):
                raise NumberTaken(str(exc)) from None
            raise

    async def taken_numbers(
        self, institution_id: str, inventory: Iterable[str], serial: Iterable[str]
    ) -> tuple[set[str], set[str]]:
        """Which of these inventory numbers (in the institution) and serial
        numbers (anywhere) are registered, as ``number_key``s."""
        inv = sorted({number_key(n) for n in inventory})
        ser = sorted({number_key(n) for n in serial})
        # Two queries, not an $or: nx-27017 scans the collection for an $or.
        taken_inv = {
            d["inventory_key"]
            async for d in self.items.find(
                {"inventory_key": {"$in": inv}, "institution_id": institution_id},
                {"inventory_key": 1},
            )
        }
        taken_ser = {
            d["serial_key"]
            async for d in self.items.find({"serial_key": {"$in": ser}}, {"serial_key": 1})
        }
        return taken_inv, taken_ser

    async def get(
        self, institution_id: str, item_id: UUID, session: AsyncClientSession | None = None
    ) -> Item | None:
        doc = await self.items.find_one(
            {"_id": str(item_id), "institution_id": institution_id}, session=session
        )
        return None if doc is None else _item(doc)

    async def by_number(self, institution_id: str, number: str) -> Item | None:
        """The item with this inventory or serial number (a scanner's input).
        One indexed lookup each rather than an ``$or``, which nx-27017 answers
        by a scan of the whole collection (~290 ms with 20,000 items, measured)."""
        key = number_key(number)
        for field in ("inventory_key", "serial_key"):
            doc = await self.items.find_one({field: key, "institution_id": institution_id})
            if doc is not None:
                return _item(doc)
        return None

    async def save(self, before_version: int, after: Item, session: AsyncClientSession) -> None:
        """``StaleVersion`` if someone moved the item first."""
        await replace_versioned(
            self.items, _doc(after), expected_version=before_version, session=session
        )

    async def search(
        self,
        institution_id: str,
        *,
        text: str = "",
        states: Sequence[ItemState] = (),
        resource_type: LendingResourceType | None = None,
        target_group: ResourceTargetGroup | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Item], int]:
        """A page of items, by inventory number; ``text`` matches the start of
        an inventory number or, when none does, of a serial number (what a
        barcode scanner or a label gives).

        No ``$or`` and no regex: nx-27017 plans either as a scan of the whole
        collection (a 2.6 s p95 with 20,000 items, measured) but answers a
        prefix range on a single-field index in about a millisecond."""
        query: dict[str, Any] = {"institution_id": institution_id}
        if states:
            query["state"] = {"$in": [s.value for s in states]}
        if resource_type is not None:
            query["resource_type"] = resource_type.value
        if target_group is not None:
            query["target_group"] = target_group.value
        key = number_key(text)
        if key:
            starts = {"$gte": key, "$lt": key + "\uffff"}
            by_inventory = {**query, "inventory_key": starts}
            if await self._count(by_inventory):
                query = by_inventory
            else:
                query = {**query, "serial_key": starts}
        total = await self._count(query)
        cursor = self.items.find(query).sort("inventory_key", ASCENDING).skip(offset).limit(limit)
        return [_item(d) async for d in cursor], total

    async def _count(self, query: dict[str, Any]) -> int:
        # The count command, not count_documents: nx-27017 runs the latter's
        # $match/$group pipeline as a scan, about 20 times slower (measured).
        reply = await self._db.command("count", self.items.name, query=query)
        return int(reply["n"])

    async def all_of(
        self, institution_id: str, session: AsyncClientSession | None = None
    ) -> list[Item]:
        cursor = self.items.find({"institution_id": institution_id}, session=session)
        return [_item(d) async for d in cursor]

    async def stock_keys(self, institution_id: str) -> list[tuple[StockKey, ItemState]]:
        """Every item's (type, target group) and state, for ``count_stock``.
        Counted here rather than by a ``$group``: the embedded nx-27017 groups
        a compound ``_id`` of field paths as literal strings (measured), and a
        school's few hundred items cost one indexed read."""
        cursor = self.items.find(
            {"institution_id": institution_id},
            {"_id": 0, "resource_type": 1, "target_group": 1, "state": 1},
        )
        return [
            (
                StockKey.model_validate(
                    {"resource_type": d["resource_type"], "target_group": d["target_group"]}
                ),
                ItemState(d["state"]),
            )
            async for d in cursor
        ]
