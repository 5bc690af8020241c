"""Pytest fixtures (registered as the ``edu`` pytest plugin): real embedded
Kafka and MongoDB servers for the whole test session, on free ports so parallel
runs never collide; a gateway key to mint tokens; and a way to run a service
in-process on a real HTTP port."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import sys
import threading
import time
import types
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from edu_contracts.applications import (
    ActorRole,
    ApplicationStatus,
    StatusChanged,
    StatusChangedPayload,
)
from edu_contracts.envelope import Envelope
from edu_runtime.serve import uvicorn_config
from edu_runtime.settings import ServiceSettings
from litestar import Litestar
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from edu_tools.backends import Backends, free_port
from edu_tools.gateway import GatewayKeys

S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")


# --- the watchdog --------------------------------------------------------
# pytest-timeout (configured in pyproject.toml) fails a test whose setup, call
# or teardown outlives its bound, printing every thread's stack. A hang here is
# nearly always an await that never returns on the session's event loop, which
# a thread dump shows only as "select": so shortly before pytest-timeout fires,
# every asyncio task's stack is printed too.
_session_loop: list[asyncio.AbstractEventLoop] = []
ASYNCIO_DUMP_LEAD_SECONDS = 5.0


@pytest.fixture(scope="session", autouse=True)
async def _edu_session_loop() -> AsyncIterator[None]:
    _session_loop.append(asyncio.get_running_loop())
    yield
    _session_loop.clear()


def _dump_session_tasks(nodeid: str) -> None:
    if not _session_loop:
        return
    loop = _session_loop[0]
    reason = f"{nodeid} is about to time out"
    if loop.is_running():
        # On the loop's own thread: task stacks are only safe to read there.
        loop.call_soon_threadsafe(dump_asyncio_tasks, reason, loop)
    else:
        print(f"\n==== {reason}: the session's event loop is not running ====", file=sys.stderr)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> None:
    lead = min(ASYNCIO_DUMP_LEAD_SECONDS, settings.timeout / 2)
    timer = threading.Timer(settings.timeout - lead, _dump_session_tasks, (item.nodeid,))
    timer.daemon = True
    timer.start()
    item.stash[_DUMP_TIMER] = timer


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> None:
    timer = item.stash.get(_DUMP_TIMER, None)
    if timer is not None:
        timer.cancel()


_DUMP_TIMER = pytest.StashKey[threading.Timer]()


@pytest.fixture(scope="session")
def edu_backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    data_dir = tmp_path_factory.mktemp("backends")
    with Backends.on_free_ports(data_dir) as backends:
        yield backends


@pytest.fixture(scope="session")
def edu_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("edu-data")


@pytest.fixture(scope="session")
def gateway(edu_data_dir: Path) -> GatewayKeys:
    return GatewayKeys(edu_data_dir).ensure()


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def settings_factory(backends: Backends, data_dir: Path) -> Callable[..., Any]:
    """``make(SettingsClass, **overrides)``: settings pointing at ``backends``,
    with a database name and consumer groups unique to this call."""

    def make(cls: type[S], **overrides: Any) -> S:
        base = cls.model_fields["mongo_db"].default
        unique = uuid.uuid4().hex[:8]
        values: dict[str, Any] = {
            "http_port": free_port(),
            "mongo_db": f"{base}_{unique}",
            # Own consumer groups: an instance stopped by an earlier test must not
            # hold partitions of the next one's group until its session expires.
            "consumer_group": f"{cls.SERVICE.value}-{unique}",
            "kafka_bootstrap": backends.kafka_bootstrap,
            "mongo_url": backends.mongo_url,
            "data_dir": data_dir,
            "outbox_poll_seconds": 0.1,
            "consumer_retry_backoff_seconds": 0.05,
            # Outbox backlog, inbox size and consumer lag measured every second.
            "metrics_sample_seconds": 1.0,
        }
        values.update(overrides)
        return cls.model_validate(values)

    return make


@pytest.fixture(scope="session")
def make_settings(
    edu_backends: Backends, edu_data_dir: Path, gateway: GatewayKeys
) -> Callable[..., Any]:
    """Settings pointing at the session's servers (see ``settings_factory``)."""
    return settings_factory(edu_backends, edu_data_dir)


@dataclass
class RunningService:
    app: Litestar
    base_url: str
    client: httpx.AsyncClient


# How long a request still in flight may keep a stopping server (uvicorn's
# graceful shutdown), and how long the whole stop may take: the runtime bounds
# each of its own steps (``ServiceRuntime.stop``), this bounds the sum.
GRACEFUL_SHUTDOWN_SECONDS = 5
STOP_SECONDS = 90.0


class TeardownTimeout(AssertionError):
    """A service run by ``serving`` did not stop within its bound."""


@asynccontextmanager
async def serving(
    app: Litestar, port: int, timeout: float = 30.0, *, stop_seconds: float = STOP_SECONDS
) -> AsyncIterator[RunningService]:
    """Run ``app`` with uvicorn on 127.0.0.1:port inside the test's event loop.

    The stop is bounded: a request still in flight gets
    ``GRACEFUL_SHUTDOWN_SECONDS``, the whole stop ``STOP_SECONDS``; past that,
    or when the app's shutdown failed, the fixture's teardown fails naming the
    app, with every asyncio task's stack on stderr."""
    config = uvicorn_config(app, "127.0.0.1", port, graceful_seconds=GRACEFUL_SHUTDOWN_SECONDS)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + timeout
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("service stopped during start-up")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError("service did not start in time")
        await asyncio.sleep(0.02)
    base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=15.0) as client:
        try:
            yield RunningService(app, base_url, client)
        finally:
            await _stop(server, task, name=f"{_app_name(app)} on :{port}", bound=stop_seconds)


def _app_name(app: Litestar) -> str:
    title = app.openapi_config.title if app.openapi_config else None
    return title or "app"


async def _stop(
    server: uvicorn.Server, task: asyncio.Task[None], *, name: str, bound: float
) -> None:
    server.should_exit = True
    try:
        async with asyncio.timeout(bound):
            await asyncio.shield(task)
    except TimeoutError:
        dump_asyncio_tasks(f"{name} did not stop within {bound:.0f} s")
        server.force_exit = True
        task.cancel()
        raise TeardownTimeout(
            f"{name} did not stop within {bound:.0f} s (asyncio tasks on stderr)"
        ) from None
    lifespan = getattr(server, "lifespan", None)
    if lifespan is not None and getattr(lifespan, "shutdown_failed", False):
        raise TeardownTimeout(f"{name}: its shutdown failed or overran (see the log above)")


def dump_asyncio_tasks(reason: str, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Every task of ``loop`` (the running one by default) with the whole chain
    of awaits it is suspended in, innermost last, on stderr. Task.print_stack
    stops at an async generator (every fixture is one), so the chains are
    followed by hand, and suspended async generators are found through gc."""
    loop = loop or asyncio.get_running_loop()
    print(f"\n==== {reason}: asyncio tasks ====", file=sys.stderr)
    for t in list(asyncio.all_tasks(loop)):
        print(f"--- {t.get_name()}", file=sys.stderr)
        _print_await_chain(t.get_coro())
    suspended = [
        g
        for g in gc.get_objects()
        if isinstance(g, types.AsyncGeneratorType) and g.ag_await is not None
    ]
    for g in suspended:
        print(f"--- async generator {g.__qualname__} (suspended in an await)", file=sys.stderr)
        _print_await_chain(g)
    sys.stderr.flush()


def _print_await_chain(obj: Any) -> None:
    for _ in range(64):  # a cycle cannot loop forever
        frame = getattr(obj, "cr_frame", None) or getattr(obj, "ag_frame", None)
        frame = frame or getattr(obj, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            print(f"    {code.co_filename}:{frame.f_lineno} in {code.co_name}", file=sys.stderr)
        nxt = (
            getattr(obj, "cr_await", None)
            or getattr(obj, "ag_await", None)
            or getattr(obj, "gi_yieldfrom", None)
        )
        if nxt is None:
            if obj is not None and frame is None:
                print(f"    awaiting {obj!r}", file=sys.stderr)
            return
        obj = nxt


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 15.0, interval: float = 0.05
) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def publish(producer: AIOKafkaProducer, *events: Envelope) -> None:
    """Publish ``events`` as the services' outbox relays do: to the event's topic,
    keyed by its partition key, JSON with its content type; each acknowledged."""
    for event in events:
        await producer.send_and_wait(
            event.TOPIC,
            event.model_dump_json().encode(),
            key=event.partition_key().encode(),
            headers=[("content-type", b"application/json")],
        )


def status_changed(
    app_id: uuid.UUID, version: int, to: ApplicationStatus, **fields: Any
) -> StatusChanged:
    """applications' announcement of a status change, as a test sends it: a
    staff member's, now, of an application of inst-1; ``fields`` set or
    override payload fields (contact_email, language, changed_at …)."""
    payload: dict[str, Any] = {
        "application_id": app_id,
        "institution_id": "inst-1",
        "from_status": None,
        "to_status": to,
        "changed_at": dt.datetime.now(dt.UTC),
        "actor_role": ActorRole.STAFF,
        "version": version,
        **fields,
    }
    return StatusChanged(
        producer="applications",
        correlation_id=f"test-{app_id}",
        payload=StatusChangedPayload(**payload),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
