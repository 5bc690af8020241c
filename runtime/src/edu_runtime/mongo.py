"""MongoDB access through PyMongo's native async client.

Aggregates are stored whole and replaced with an optimistic version check
(``replace_versioned``): it is the sound pattern for concurrent edits, and it
avoids the array operators the embedded nx-27017 server gets wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

Doc = dict[str, Any]


def create_client(url: str, app_name: str) -> AsyncMongoClient[Doc]:
    return AsyncMongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=5000,
    )


CODEC_OPTIONS: CodecOptions[Doc] = CodecOptions(
    tz_aware=True, uuid_representation=UuidRepresentation.STANDARD
)


@asynccontextmanager
async def transaction(client: AsyncMongoClient[Doc]) -> AsyncIterator[AsyncClientSession]:
    """One multi-document transaction: committed on normal exit, aborted on error."""
    async with client.start_session() as session, await session.start_transaction():
        yield session


class StaleVersion(Exception):
    """The stored aggregate changed since it was read."""


async def replace_versioned(
    collection: AsyncCollection[Doc],
    doc: Mapping[str, Any],
    *,
    expected_version: int,
    session: AsyncClientSession | None = None,
) -> None:
    """Replace ``doc`` (whose ``version`` is already incremented) only if the
    stored version is still ``expected_version``."""
    result = await collection.replace_one(
        {"_id": doc["_id"], "version": expected_version}, dict(doc), session=session
    )
    if result.matched_count != 1:
        raise StaleVersion(str(doc["_id"]))
