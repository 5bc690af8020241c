"""Group read: concurrent callers' reads by key go to the database together.

The read-side twin of ``group_commit``: the first caller starts a read at
once; callers arriving while a read is in flight go together into the next
one. Under load one ``{_id: {$in: [...]}}`` query answers many requests
(on the embedded nx-27017 a look-up of ten ids by ``$in`` costs about what one
``find_one`` does); when idle a read is the one look-up, so nobody waits.

Nobody joins a read already sent: each caller's answer comes from a query
issued after its call, so it sees every write committed before it asked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class GroupRead(Generic[K, V]):
    def __init__(
        self,
        read_many: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]],
        *,
        max_batch: int = 200,
    ) -> None:
        self._read_many = read_many
        self._max_batch = max_batch
        self._pending: list[tuple[K, asyncio.Future[V | None]]] = []
        self._reading = False
        self._task: asyncio.Task[None] | None = None  # held: the loop keeps only a weak one

    async def get(self, key: K) -> V | None:
        """What ``read_many`` found for ``key``; None if it found nothing."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V | None] = loop.create_future()
        self._pending.append((key, future))
        if not self._reading:
            self._reading = True
            self._task = loop.create_task(self._read())
        return await future

    async def _read(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                try:
                    found = await self._read_many(list(dict.fromkeys(k for k, _ in batch)))
                except asyncio.CancelledError:  # shutting down: nobody may wait for ever
                    for _, future in batch + self._pending:
                        future.cancel()
                    self._pending.clear()
                    raise
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for key, future in batch:
                    if not future.done():  # the caller gave up (cancelled)
                        future.set_result(found.get(key))
        finally:
            self._reading = False
