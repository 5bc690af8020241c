"""A process killed in the middle of a transaction, against the session's real
embedded MongoDB (nx-27017): the server keeps the dead client's transaction
open, so its half-done writes are what everyone reads (a submission's new
status without its outbox record: the lost verification request of
`edu chaos`). The next process of the service ends the sessions its killed
predecessor recorded (``SessionLedger``), which rolls that transaction back;
what it commits afterwards is stored."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from edu_runtime.mongo import (
    CODEC_OPTIONS,
    SessionLedger,
    create_client,
    keep_session_ledger,
    serialize_transactions,
    transaction,
)
from edu_tools.backends import Backends

# The killed process: the first half of a change written, the rest never.
KILLED = """
import asyncio, sys
from pathlib import Path
from edu_runtime.mongo import create_client, keep_session_ledger, serialize_transactions, transaction

async def main() -> None:
    client = create_client(sys.argv[1], "killed")
    serialize_transactions(client)
    keep_session_ledger(client, Path(sys.argv[3]))
    async with transaction(client) as session:
        await client[sys.argv[2]]["applications"].insert_one(
            {"_id": "a-1", "status": "being_verified"}, session=session
        )
        print("half written", flush=True)
        await asyncio.sleep(3600)  # the outbox record would come next

asyncio.run(main())
"""


@pytest.fixture
async def db(edu_backends: Backends) -> AsyncIterator[Any]:
    client = create_client(edu_backends.mongo_url, "ledger-tests")
    serialize_transactions(client)
    database: Any = client.get_database(
        f"ledger_{uuid.uuid4().hex[:8]}", codec_options=CODEC_OPTIONS
    )
    for name in ("applications", "outbox"):
        await database.create_collection(name)
    yield database
    await client.drop_database(database.name)
    await client.close()


async def test_next_process_rolls_back_the_transaction_a_killed_one_left_open(
    db: Any, edu_backends: Backends, tmp_path: Path
) -> None:
    ledger_file = tmp_path / "sessions.txt"
    killed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        KILLED,
        edu_backends.mongo_url,
        db.name,
        str(ledger_file),
        stdout=asyncio.subprocess.PIPE,
    )
    assert killed.stdout is not None
    assert (await killed.stdout.readline()).strip() == b"half written"
    killed.send_signal(signal.SIGKILL)
    await killed.wait()
    # What the ledger is for: the dead transaction's half is visible to all.
    # (If a new nx-27017 ends a dead client's sessions itself, this fails and
    # the ledger can go.)
    assert await db["applications"].count_documents({}) == 1

    ledger = keep_session_ledger(db.client, ledger_file)
    assert await ledger.end_left_over(db.client) == 1
    assert await db["applications"].count_documents({}) == 0  # rolled back
    assert ledger_file.read_text() == ""  # nothing left to end next time

    async with transaction(db.client) as session:
        await db["applications"].insert_one({"_id": "a-2"}, session=session)
        await db["outbox"].insert_one({"_id": "e-2"}, session=session)
    assert [d["_id"] async for d in db["applications"].find()] == ["a-2"]
    # This process's own session is recorded, and a live process's is not ended.
    assert str(os.getpid()) in ledger_file.read_text()
    assert await SessionLedger(ledger_file).end_left_over(db.client) == 0
    assert await db["outbox"].count_documents({}) == 1
