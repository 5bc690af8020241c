"""The inbox against the session's real MongoDB: applied ids are remembered
(unseen/apply_all/apply_once) until they are pruned, and only old ones are."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from edu_runtime.consumer import ConcurrentDelivery, Inbox, prune_inbox
from edu_runtime.mongo import CODEC_OPTIONS, create_client
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork
from edu_tools.backends import Backends


async def test_inbox_remembers_applied_ids_until_pruned(edu_backends: Backends) -> None:
    client = create_client(edu_backends.mongo_url, "runtime-tests")
    db: Any = client.get_database(f"inbox_{uuid.uuid4().hex[:8]}", codec_options=CODEC_OPTIONS)
    inbox = Inbox(UnitsOfWork(client, None), db, "probe")
    old, recent, fresh = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    changes = db["changes"]

    def work(n: int) -> Any:
        async def run(uow: UnitOfWork) -> None:
            await changes.insert_one({"n": n}, session=uow.session)

        return run

    try:
        await inbox.apply_all([old, recent], work(1))
        assert await inbox.unseen([old, fresh, recent, fresh]) == [fresh]
        # Recorded again by a concurrent delivery: nothing of the second run stays.
        try:
            await inbox.apply_all([fresh, recent], work(2))
        except ConcurrentDelivery:
            pass
        else:
            raise AssertionError("a recorded id was recorded again")
        assert await inbox.apply_once(recent, work(3)) is False
        assert [d["n"] async for d in changes.find({})] == [1]

        # `old` was applied 40 days ago.
        await db["inbox"].update_one(
            {"_id": f"probe:{old}"},
            {"$set": {"at": dt.datetime.now(dt.UTC) - dt.timedelta(days=40)}},
        )
        deleted = await prune_inbox(db, dt.datetime.now(dt.UTC) - dt.timedelta(days=35))
        assert deleted == 1
        assert await inbox.unseen([old, recent]) == [old]
    finally:
        await client.drop_database(db.name)
        await client.close()
