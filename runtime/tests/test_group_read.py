"""GroupRead's contract, on its own (the applications tests exercise it against
the real MongoDB): concurrent reads share one query, a read never joins a
query already sent, and a failed query fails the callers that shared it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest
from edu_runtime.group_read import GroupRead


async def test_concurrent_reads_share_one_query_and_a_missing_key_is_none() -> None:
    queries: list[list[int]] = []

    async def read_many(keys: Sequence[int]) -> Mapping[int, str]:
        queries.append(list(keys))
        await asyncio.sleep(0.01)  # a round trip
        return {k: f"doc {k}" for k in keys if k % 7}

    group: GroupRead[int, str] = GroupRead(read_many)
    found = await asyncio.gather(*(group.get(k) for k in [1, 2, 7, 2, 3]))

    assert found == ["doc 1", "doc 2", None, "doc 2", "doc 3"]
    assert queries == [[1, 2, 7, 3]]  # one query, each key once


async def test_a_read_asked_during_a_query_waits_for_the_next_and_sees_newer_data() -> None:
    stored = {"app": 1}
    sent = asyncio.Event()

    async def read_many(keys: Sequence[str]) -> Mapping[str, int]:
        snapshot = {k: stored[k] for k in keys}  # what the database answers when asked
        sent.set()
        await asyncio.sleep(0.01)
        return snapshot

    group: GroupRead[str, int] = GroupRead(read_many)
    first = asyncio.ensure_future(group.get("app"))
    await sent.wait()
    stored["app"] = 2  # committed after the first query was sent
    second = await group.get("app")

    assert await first == 1
    assert second == 2  # joining the query in flight would have answered 1


async def test_a_failed_query_fails_its_callers_and_the_next_read_works() -> None:
    calls = 0

    async def read_many(keys: Sequence[int]) -> Mapping[int, int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("server gone")
        return {k: k for k in keys}

    group: GroupRead[int, int] = GroupRead(read_many)
    results = await asyncio.gather(group.get(1), group.get(2), return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError, ConnectionError]
    assert await group.get(3) == 3


@pytest.mark.parametrize("max_batch", [2])
async def test_a_large_burst_is_read_in_bounded_queries(max_batch: int) -> None:
    queries: list[list[int]] = []

    async def read_many(keys: Sequence[int]) -> Mapping[int, int]:
        queries.append(list(keys))
        return {k: k for k in keys}

    group: GroupRead[int, int] = GroupRead(read_many, max_batch=max_batch)
    assert await asyncio.gather(*(group.get(k) for k in range(5))) == [0, 1, 2, 3, 4]
    assert queries == [[0, 1], [2, 3], [4]]


async def test_a_cancelled_read_leaves_no_caller_waiting_and_the_next_read_works() -> None:
    started = asyncio.Event()

    async def read_many(keys: Sequence[int]) -> Mapping[int, int]:
        started.set()
        await asyncio.sleep(10)
        return {}

    group: GroupRead[int, int] = GroupRead(read_many)
    first = asyncio.ensure_future(group.get(1))
    await started.wait()
    queued = asyncio.ensure_future(group.get(2))  # waits for the next query
    await asyncio.sleep(0)
    assert group._task is not None
    group._task.cancel()  # as at shutdown
    done, _ = await asyncio.wait([first, queued], timeout=1)
    assert {first, queued} == done
    assert first.cancelled()
    assert queued.cancelled()

    async def quick(keys: Sequence[int]) -> Mapping[int, int]:
        return {k: k for k in keys}

    group._read_many = quick
    assert await group.get(3) == 3
