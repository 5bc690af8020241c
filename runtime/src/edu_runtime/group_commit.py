"""Group commit: concurrent callers' writes go to the database together.

The first caller starts a flush at once; callers arriving during a flush go
together into the next one. Under load one round trip (or one transaction)
carries many writes; when idle a flush is the one write, so nobody waits for a
batch to fill. Each caller returns only when its own write is stored.

If a batch fails, each of its items is written alone, so a conflict (a stale
version, a taken key) is the error of the caller who caused it and not of the
others who happened to share its flush.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(
        self,
        write: Callable[[Sequence[T]], Awaitable[None]],
        *,
        max_batch: int = 200,
        observe: Callable[[int], None] | None = None,
    ) -> None:
        self._write = write
        self._observe = observe  # e.g. ServiceMetrics.group_commit(name): each flush's size
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._flushing = False
        self._task: asyncio.Task[None] | None = None

    async def write(self, item: T) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((item, future))
        if not self._flushing:
            self._flushing = True
            self._task = loop.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                if self._observe is not None:
                    self._observe(len(batch))
                try:
                    await self._write([item for item, _ in batch])
                except Exception as exc:
                    if len(batch) == 1:
                        _settle(batch[0][1], exc)
                        continue
                    for item, future in batch:
                        try:
                            await self._write([item])
                        except Exception as alone:
                            _settle(future, alone)
                        else:
                            _settle(future, None)
                    continue
                for _, future in batch:
                    _settle(future, None)
        finally:
            self._flushing = False


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # the caller gave up (cancelled)
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
