"""What the stores share: collections created up front, a page of documents
with the count of all, documents read back into the domain's models."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from edu_runtime.mongo import Doc
from pydantic import BaseModel
from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

M = TypeVar("M", bound=BaseModel)


async def ensure_collection(db: AsyncDatabase[Doc], name: str) -> None:
    """Create the collection up front: nx-27017 loses the transaction when a
    collection is created implicitly inside one (measured: "No session specified")."""
    if name not in await db.list_collection_names():
        with contextlib.suppress(CollectionInvalid):  # another replica was first
            await db.create_collection(name)


async def read_page(
    collection: AsyncCollection[Doc],
    query: Mapping[str, Any],
    key: str,
    *,
    limit: int,
    offset: int,
    direction: int = DESCENDING,
) -> tuple[list[Doc], int]:
    """The page of matching documents sorted by ``key`` (newest first unless
    ``direction`` says otherwise), and how many match."""
    total = await collection.count_documents(query)
    cursor = collection.find(query).sort(key, direction).skip(offset).limit(limit)
    return await cursor.to_list(), total


def model_of(model: type[M], doc: Doc, id_field: str | None, drop: Iterable[str] = ()) -> M:
    """The stored model: ``_id`` back under ``id_field`` (None: the id is a
    field of its own as well), the keys kept only for queries (``drop``) left out."""
    left_out = {"_id", *drop}
    data = {k: v for k, v in doc.items() if k not in left_out}
    if id_field is not None:
        data[id_field] = doc["_id"]
    return model.model_validate(data)
