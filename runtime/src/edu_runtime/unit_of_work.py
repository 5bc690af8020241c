"""Unit of work: one change of a service's state together with the events it
causes, stored atomically.

A use case hands its change to ``UnitsOfWork.run`` as a callable (like
PyMongo's ``with_transaction``)::

    async def change(uow: UnitOfWork) -> None:
        await store.save(aggregate, uow.session)
        uow.emit(event)

    await runtime.unit_of_work(change)

``run`` opens the MongoDB transaction (``edu_runtime.mongo.transaction``, so
the embedded server's serialisation applies), runs the change, writes the
events it emitted to the outbox in the same commit (each continuing the trace
it was emitted in), and wakes the outbox relay once the commit has happened.
If MongoDB labels a failure ``TransientTransactionError`` (a write conflict
with a concurrent transaction, a failover) the whole change runs again, with
a fresh unit of work: the change must therefore read what it decides on
inside the callable, through ``uow.session``.

Nobody writes ``transaction`` + outbox + notify by hand: group commits
(``group_commit.py``), inbox consumers (``consumer.Inbox``) and single use
cases all come through here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from edu_contracts.envelope import Envelope
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from edu_runtime.mongo import Doc, transaction
from edu_runtime.outbox import Outbox

log = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT = "TransientTransactionError"


class UnitOfWork:
    """One attempt at a change: the transaction's session and the events the
    change causes, each with the trace context it continues."""

    def __init__(self, session: AsyncClientSession) -> None:
        self.session = session
        self._events: list[Envelope] = []
        self._contexts: list[Context] = []

    def emit(self, *events: Envelope, context: Context | None = None) -> None:
        """Queue ``events`` for the outbox; they are written with the change.

        Each continues the trace current here, or ``context`` (a batch
        consumer passes each record's own, so every request's trace goes on)."""
        trace = context if context is not None else otel_context.get_current()
        self._events.extend(events)
        self._contexts.extend(trace for _ in events)

    @property
    def events(self) -> tuple[Envelope, ...]:
        return tuple(self._events)

    @property
    def contexts(self) -> tuple[Context, ...]:
        return tuple(self._contexts)


Change = Callable[[UnitOfWork], Awaitable[T]]


class UnitsOfWork:
    """Runs changes as units of work against one client and its outbox."""

    def __init__(
        self,
        client: AsyncMongoClient[Doc],
        outbox: Outbox | None,
        *,
        max_attempts: int = 5,
        backoff_seconds: float = 0.01,
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds

    async def run(self, change: Change[T]) -> T:
        """Run ``change`` in one transaction and store the events it emitted
        with it; returns what ``change`` returned. Retried whole on a
        transient transaction error; any other error aborts and propagates."""
        attempt = 0
        while True:
            attempt += 1
            try:
                result, emitted = await self._once(change)
            except PyMongoError as exc:
                if not exc.has_error_label(TRANSIENT) or attempt >= self._max_attempts:
                    raise
                log.warning(
                    "transient transaction error, running the change again",
                    extra={"attempt": attempt, "error": type(exc).__name__},
                )
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
                continue
            if emitted and self._outbox is not None:
                self._outbox.notify()  # the relay publishes now, not at its next poll
            return result

    async def _once(self, change: Change[T]) -> tuple[T, bool]:
        async with transaction(self._client) as session:
            uow = UnitOfWork(session)
            result = await change(uow)
            if uow.events:
                if self._outbox is None:
                    raise RuntimeError("events emitted in a unit of work without an outbox")
                await self._outbox.add_many(uow.events, session, contexts=uow.contexts)
        return result, bool(uow.events)
