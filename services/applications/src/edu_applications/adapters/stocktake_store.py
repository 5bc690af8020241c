"""MongoDB collection ``stocktakes``: one document per stocktake, replaced
whole with a version check; at most one open stocktake per institution (a
unique index on ``open_key``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from edu_contracts.items import StocktakeState
from edu_runtime.mongo import Doc, bson_safe, replace_versioned
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from edu_applications.adapters.documents import ensure_collection, model_of, read_page
from edu_applications.domain.stocktake import Stocktake


class StocktakeOpen(Exception):
    """The institution has an open stocktake already."""


def _doc(stocktake: Stocktake) -> Doc:
    doc: dict[str, Any] = bson_safe(stocktake.model_dump(mode="python"))
    doc["_id"] = str(doc.pop("stocktake_id"))
    # The institution's id while open (unique: one open stocktake at a time),
    # its own id once finished. Not a sparse index: every document has the key,
    # which any MongoDB (the embedded one included) keeps unique the same way.
    doc["open_key"] = (
        stocktake.institution_id
        if stocktake.state is StocktakeState.OPEN
        else f"{stocktake.institution_id}:{doc['_id']}"
    )
    return doc


def _stocktake(doc: Doc) -> Stocktake:
    return model_of(Stocktake, doc, "stocktake_id", drop=("open_key",))


class StocktakeStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db
        self.stocktakes = db["stocktakes"]

    async def ensure_indexes(self) -> None:
        await ensure_collection(self._db, "stocktakes")
        await self.stocktakes.create_index([("open_key", ASCENDING)], unique=True)
        await self.stocktakes.create_index(
            [("institution_id", ASCENDING), ("started_at", DESCENDING)]
        )

    async def add(self, stocktake: Stocktake, session: AsyncClientSession) -> None:
        try:
            await self.stocktakes.insert_one(_doc(stocktake), session=session)
        except DuplicateKeyError:
            raise StocktakeOpen(stocktake.institution_id) from None

    async def get(
        self, institution_id: str, stocktake_id: UUID, session: AsyncClientSession | None = None
    ) -> Stocktake | None:
        doc = await self.stocktakes.find_one(
            {"_id": str(stocktake_id), "institution_id": institution_id}, session=session
        )
        return None if doc is None else _stocktake(doc)

    async def save(
        self, before_version: int, after: Stocktake, session: AsyncClientSession
    ) -> None:
        await replace_versioned(
            self.stocktakes, _doc(after), expected_version=before_version, session=session
        )

    async def open_of(self, institution_id: str) -> Stocktake | None:
        doc = await self.stocktakes.find_one({"open_key": institution_id})
        return None if doc is None else _stocktake(doc)

    async def of_institution(
        self, institution_id: str, *, limit: int, offset: int
    ) -> tuple[list[Stocktake], int]:
        query = {"institution_id": institution_id}
        docs, total = await read_page(
            self.stocktakes, query, "started_at", limit=limit, offset=offset
        )
        return [_stocktake(d) for d in docs], total
