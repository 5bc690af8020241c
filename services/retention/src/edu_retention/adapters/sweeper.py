"""The sweeper: on start and then every ``sweep_interval_seconds`` it turns
every due, unheld deadline into a purge order (and re-orders unconfirmed
purges whose backoff ran out).

Work is read from the ``sweep_at`` index in batches of ``sweep_batch_size``;
each batch is one transaction (deadlines + ledger + outbox), so a crash
mid-sweep leaves every deadline either ordered with its message queued, or
untouched for the next sweep. Two instances sweeping at once cannot both order
the same deadline: the version check makes the slower batch fail, and it is
then retried one deadline at a time against the fresh state.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from edu_runtime.mongo import StaleVersion
from pymongo.errors import OperationFailure

from edu_retention.clock import Clock
from edu_retention.domain.model import Deadline, RetryPolicy
from edu_retention.service import RetentionService
from edu_retention.settings import RetentionSettings

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    at: dt.datetime
    ordered: int = 0  # first orders
    reordered: int = 0  # retries of unconfirmed purges
    batches: int = 0
    skipped: bool = False  # another process holds the sweeper lease
    seconds: float = 0.0
    read_seconds: float = 0.0  # of which: finding what is due


@dataclass
class SweeperMetrics:
    sweeps: int = 0
    orders: int = 0
    reorders: int = 0
    failures: int = 0
    last_sweep_at: dt.datetime | None = None
    last_sweep_seconds: float | None = None
    history: list[SweepResult] = field(default_factory=list)


class Sweeper:
    def __init__(
        self,
        service: RetentionService,
        clock: Clock,
        *,
        policy: RetryPolicy,
        batch_size: int,
        interval_seconds: float,
    ) -> None:
        self._service = service
        self._store = service.store
        self._clock = clock
        self._policy = policy
        self._batch = batch_size
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lease_ttl = dt.timedelta(seconds=max(60.0, 2 * interval_seconds))
        self.metrics = SweeperMetrics()

    @classmethod
    def configured(
        cls, service: RetentionService, clock: Clock, settings: RetentionSettings
    ) -> Sweeper:
        """A sweeper as ``settings`` say: the service's own, ``edu retention sweep``'s."""
        return cls(
            service,
            clock,
            policy=settings.retry_policy,
            batch_size=settings.sweep_batch_size,
            interval_seconds=settings.sweep_interval_seconds,
        )

    async def sweep_once(self) -> SweepResult:
        async with self._lock:
            if not await self._store.acquire_lease(self._holder, self._lease_ttl):
                return SweepResult(at=self._clock.now(), skipped=True)
            try:
                return await self._sweep()
            finally:
                await self._store.release_lease(self._holder)

    async def _sweep(self) -> SweepResult:
        started = time.perf_counter()
        now = self._clock.now()
        result = SweepResult(at=now)
        while True:
            read_started = time.perf_counter()
            batch = await self._store.due(now, self._batch)
            result.read_seconds += time.perf_counter() - read_started
            if not batch:
                break
            ordered, settled = await self._order(batch, now)
            result.batches += 1
            await self._store.renew_lease(self._holder, self._lease_ttl)
            for d in ordered:
                if d.attempt == 1:
                    result.ordered += 1
                else:
                    result.reordered += 1
            # Ordered deadlines move their sweep_at past ``now``, so the next
            # read returns the next batch. Stop when the batch was the last, or
            # when none of it left the due set (nothing would change next time).
            if len(batch) < self._batch or not settled:
                break
        result.seconds = time.perf_counter() - started
        m = self.metrics
        m.sweeps += 1
        m.orders += result.ordered
        m.reorders += result.reordered
        m.last_sweep_at = now
        m.last_sweep_seconds = result.seconds
        m.history = [*m.history[-9:], result]
        if result.ordered or result.reordered:
            log.info(
                "sweep ordered purges",
                extra={
                    "ordered": result.ordered,
                    "reordered": result.reordered,
                    "seconds": round(result.seconds, 3),
                },
            )
        return result

    async def _order(self, batch: list[Deadline], now: dt.datetime) -> tuple[list[Deadline], int]:
        """Order ``batch``; returns the deadlines this sweeper ordered and how
        many of the batch are no longer due (ordered here or elsewhere)."""
        try:
            ordered = await self._service.order_purges(batch, now=now, policy=self._policy)
            return ordered, len(ordered)
        except (StaleVersion, OperationFailure):
            # Something changed a deadline of this batch meanwhile (an event, a
            # hold, another sweeper): redo it one by one against fresh state.
            done: list[Deadline] = []
            settled = 0
            for d in batch:
                fresh = await self._store.get(d.kind, d.subject_id)
                if fresh is None or fresh.sweep_at is None or fresh.sweep_at > now:
                    settled += 1  # someone else dealt with it
                    continue
                with contextlib.suppress(StaleVersion, OperationFailure):
                    done += await self._service.order_purges([fresh], now=now, policy=self._policy)
                    settled += 1
            return done, settled

    # --- background loop -------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention-sweeper")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.metrics.failures += 1
                log.exception("sweep failed; next attempt at the next interval")
            await asyncio.sleep(self._interval)
