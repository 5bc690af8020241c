"""MongoDB access through PyMongo's native async client.

Aggregates are stored whole and replaced with an optimistic version check
(``replace_versioned``): it is the sound pattern for concurrent edits, and it
avoids the array operators the embedded nx-27017 server gets wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

from bson.binary import UUID_SUBTYPE, Binary, UuidRepresentation
from bson.codec_options import CodecOptions
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

Doc = dict[str, Any]

DUPLICATE_KEY = 11000  # MongoDB's error code for a unique-index violation


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


_serialized: dict[int, asyncio.Lock] = {}


def serialize_transactions(client: AsyncMongoClient[Doc]) -> None:
    """Run this client's transactions one at a time.

    MongoDB isolates concurrent transactions and does not need this. The
    embedded nx-27017 server does: its sessions on one database share one SQLite
    transaction, so an abort in one silently rolls back another that had
    committed (measured). On by default for local runs; off in deploy/.
    """
    _serialized[id(client)] = asyncio.Lock()


class SessionLedger:
    """The embedded server only: which sessions this process runs transactions
    in, in a file, so that the next process of the service ends those a
    ``kill -9`` left with an open transaction.

    nx-27017 does not end a dead client's sessions. Its open transaction stays
    open on the database's one SQLite connection: everyone reads its half-done
    writes, and every later transaction nests in it as a savepoint, so nothing
    acknowledged after it reaches the disk (measured, nx-27017 0.8.1: a
    submission's state change without its outbox record, and acknowledged
    writes lost when the server was killed later). ``endSessions`` for the
    dead session rolls the transaction back. The driver reuses a few pooled
    sessions, so the file holds a handful of lines ("pid session-id")."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._known: set[str] = set()

    def record(self, session: AsyncClientSession) -> None:
        lsid = session.session_id["id"].hex()
        if lsid in self._known:
            return
        self._known.add(lsid)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as f:
            f.write(f"{os.getpid()} {lsid}\n")

    async def end_left_over(self, client: AsyncMongoClient[Doc]) -> int:
        """End the sessions of processes that are gone (their open transaction
        is rolled back); returns how many. Call before the first write."""
        if not self.path.exists():
            return 0
        live: list[str] = []  # another process of the service may still run
        dead: list[str] = []
        for line in self.path.read_text().splitlines():
            pid, _, lsid = line.partition(" ")
            if _alive(int(pid)):
                live.append(line)
            else:
                dead.append(lsid)
        if dead:
            await client.admin.command(
                {"endSessions": [{"id": Binary(bytes.fromhex(x), UUID_SUBTYPE)} for x in dead]}
            )
        self.path.write_text("".join(f"{line}\n" for line in live))
        return len(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_ledgers: dict[int, SessionLedger] = {}


def keep_session_ledger(client: AsyncMongoClient[Doc], path: Path) -> SessionLedger:
    """Record the sessions of ``client``'s transactions in ``path`` (embedded
    server only, with ``serialize_transactions``): see ``SessionLedger``."""
    ledger = _ledgers[id(client)] = SessionLedger(path)
    return ledger


@asynccontextmanager
async def outside_transactions(client: AsyncMongoClient[Doc]) -> AsyncIterator[None]:
    """Wait until none of this client's transactions is open, and open none
    until the block ends (only where transactions are serialised).

    For writes and reads outside a transaction on the embedded server: there a
    plain write joins the SQLite transaction of whichever transaction is open
    and commits its half-done writes (an abort after it keeps them), and a plain
    read sees its uncommitted ones (measured, nx-27017 0.8.1). The outbox relay
    reads and deletes through this, so it never publishes an event whose
    change may still abort, nor makes half a change durable."""
    lock = _serialized.get(id(client))
    if lock is None:
        yield
        return
    async with lock:
        yield


@asynccontextmanager
async def transaction(client: AsyncMongoClient[Doc]) -> AsyncIterator[AsyncClientSession]:
    """One multi-document transaction: committed on normal exit, aborted on error."""
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(outside_transactions(client))
        session = await stack.enter_async_context(client.start_session())
        ledger = _ledgers.get(id(client))
        if ledger is not None:
            ledger.record(session)
        await stack.enter_async_context(await session.start_transaction())
        yield session


def bson_safe(value: Any) -> Any:
    """Plain BSON for a model dump: UUIDs and dates as strings (the embedded
    server cannot store UUID binaries, and BSON has no date-only type);
    datetimes stay native so they sort and compare as instants."""
    if isinstance(value, dict):
        return {k: bson_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [bson_safe(v) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


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
