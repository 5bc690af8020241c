"""GroupCommit's contract, on its own (the applications and registry-reader
tests exercise it against the real MongoDB): concurrent writes share flushes,
and a failing write fails only its own caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from edu_runtime.group_commit import GroupCommit


class Conflict(Exception):
    pass


async def test_concurrent_writes_share_flushes_and_one_conflict_stays_with_its_caller() -> None:
    flushes: list[list[int]] = []
    stored: list[int] = []

    async def write(items: Sequence[int]) -> None:
        flushes.append(list(items))
        await asyncio.sleep(0.01)  # a round trip
        if 13 in items:
            raise Conflict(f"13 conflicts (batch of {len(items)})")
        stored.extend(items)

    group: GroupCommit[int] = GroupCommit(write)
    results = await asyncio.gather(*(group.write(i) for i in range(40)), return_exceptions=True)

    failed = {i for i, r in enumerate(results) if isinstance(r, Exception)}
    assert failed == {13}
    assert str(results[13]) == "13 conflicts (batch of 1)"  # retried alone
    assert sorted(stored) == [i for i in range(40) if i != 13]
    # All forty went in one flush; when it failed, each was written alone.
    assert flushes == [list(range(40))] + [[i] for i in range(40)]


async def test_writes_arriving_during_a_flush_go_together_into_the_next() -> None:
    flushes: list[list[int]] = []

    started, release = asyncio.Event(), asyncio.Event()

    async def write(items: Sequence[int]) -> None:
        flushes.append(list(items))
        started.set()
        await release.wait()  # the round trip ends when the test says

    async def end_round_trip() -> None:
        release.set()

    group: GroupCommit[int] = GroupCommit(write)
    first = asyncio.create_task(group.write(0))
    await started.wait()  # the first flush is under way
    # gather starts its tasks in order: the nine writes queue up before the
    # round trip ends.
    await asyncio.gather(first, *(group.write(i) for i in range(1, 10)), end_round_trip())
    assert flushes == [[0], list(range(1, 10))]


async def test_idle_write_is_flushed_at_once() -> None:
    seen: list[Sequence[str]] = []

    async def write(items: Sequence[str]) -> None:
        seen.append(items)

    group: GroupCommit[str] = GroupCommit(write)
    await asyncio.wait_for(group.write("only"), timeout=1)
    assert seen == [["only"]]


async def test_a_failed_lone_write_raises_to_its_caller() -> None:
    async def write(items: Sequence[str]) -> None:
        raise Conflict("stale")

    group: GroupCommit[str] = GroupCommit(write)
    with pytest.raises(Conflict, match="stale"):
        await group.write("x")
    # And the next write starts a new flush.
    with pytest.raises(Conflict):
        await group.write("y")
