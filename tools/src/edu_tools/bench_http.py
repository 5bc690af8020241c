"""What the page benchmarks share (``edu bench inbox``, ``edu bench items``,
``edu bench portal``): staff sessions written straight into the portal's
database, requests timed one at a time, their quantiles, and the CPU each
process spent per request (Linux /proc)."""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from edu_portal.web.session import Person, SessionStore
from edu_runtime.mongo import CODEC_OPTIONS
from pymongo import AsyncMongoClient

from edu_tools.registry.bench import _cpu_seconds, _quantile


async def staff_sessions(
    mongo_url: str,
    portal_db: str,
    count: int,
    person: Person,
    *,
    institution_id: str,
    institution_name: str,
) -> list[str]:
    """``count`` portal session cookies of a staff member of the institution."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url, tz_aware=True)
    store = SessionStore(
        client.get_database(portal_db, codec_options=CODEC_OPTIONS),
        idle=dt.timedelta(hours=2),
        longest=dt.timedelta(hours=8),
    )
    try:
        cookies = []
        for _ in range(count):
            cookie, _session = await store.open(
                person,
                role="staff",
                institution_id=institution_id,
                institution_name=institution_name,
            )
            cookies.append(cookie)
        return cookies
    finally:
        await client.close()


@dataclass
class Timed:
    """The measured requests: their latencies (ms) and every answer that was
    not what was asked for, by why (its status, or a 200 that failed the
    check): an error, never hidden in the figures."""

    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def errors(self) -> int:
        return sum(self.failures.values())


async def measure(
    requests: list[tuple[str, dict[str, str]]], base: str, warm_up: int
) -> tuple[list[float], int]:
    """One request at a time; the first ``warm_up`` are not counted."""
    timed = await measure_statuses(requests, base, warm_up)
    return timed.latencies, timed.errors


async def measure_statuses(
    requests: list[tuple[str, dict[str, str]]],
    base: str,
    warm_up: int,
    check: Callable[[str, bytes], str | None] | None = None,
) -> Timed:
    """``measure``, keeping why each failed answer failed: its status if not a
    200, else what ``check(path, body)`` says is wrong with it (None: nothing)."""
    timed = Timed()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for i, (path, headers) in enumerate(requests):
            start = time.perf_counter()
            r = await client.get(path, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            if i < warm_up:
                continue
            timed.latencies.append(elapsed)
            if r.status_code != 200:
                timed.failures[f"status {r.status_code}"] += 1
            elif check is not None and (wrong := check(path, r.content)):
                timed.failures[wrong] += 1
    return timed


def report(label: str, latencies: list[float], errors: int) -> float:
    """Prints the quantiles; the p95, or infinity if any request failed."""
    p50, p95, p99 = (_quantile(latencies, q) for q in (0.5, 0.95, 0.99))
    print(
        f"{label}: {len(latencies)} requests, errors {errors}; ms p50 {p50:.1f}  p95 {p95:.1f}  "
        f"p99 {p99:.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
    )
    return p95 if not errors else float("inf")


def group_cpu(pids: list[int]) -> float:
    """CPU seconds of these processes so far (the ones gone count 0)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += _cpu_seconds(pid)
    return total


def nginx_pids(master: int) -> list[int]:
    """nginx's master and its workers."""
    children = Path(f"/proc/{master}/task/{master}/children")
    found = [master]
    if children.exists():
        found += [int(p) for p in children.read_text().split()]
    return found


def cpu_snapshot(groups: Mapping[str, list[int]]) -> dict[str, float]:
    return {g: group_cpu(p) for g, p in groups.items()}


def cpu_ms_per_request(
    groups: Mapping[str, list[int]], before: Mapping[str, float], n: int
) -> dict[str, float]:
    """The CPU milliseconds each process group spent per request since
    ``before`` (``cpu_snapshot``)."""
    return {g: (group_cpu(p) - before[g]) / max(n, 1) * 1000 for g, p in groups.items()}


def cpu_per_request(groups: Mapping[str, list[int]], before: Mapping[str, float], n: int) -> str:
    """``name ms, …``: ``cpu_ms_per_request`` printed."""
    return ", ".join(f"{g} {ms:.2f}" for g, ms in cpu_ms_per_request(groups, before, n).items())
