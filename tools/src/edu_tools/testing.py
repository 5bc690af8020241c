"""Pytest fixtures (registered as the ``edu`` pytest plugin): real embedded
Kafka and MongoDB servers for the whole test session, on free ports so parallel
runs never collide; a gateway key to mint tokens; and a way to run a service
in-process on a real HTTP port."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from edu_runtime.settings import ServiceSettings
from litestar import Litestar
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from edu_tools.backends import Backends, free_port
from edu_tools.gateway import GatewayKeys

S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")


@pytest.fixture(scope="session")
def edu_backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    data_dir = tmp_path_factory.mktemp("backends")
    backends = Backends(data_dir, kafka_port=free_port(), mongo_port=free_port())
    with backends:
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


@asynccontextmanager
async def serving(app: Litestar, port: int, timeout: float = 30.0) -> AsyncIterator[RunningService]:
    """Run ``app`` with uvicorn on 127.0.0.1:port inside the test's event loop."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
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
            server.should_exit = True
            await task


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
