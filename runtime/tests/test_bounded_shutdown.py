"""Stopping is bounded, against the session's real Kafka and MongoDB: a part
that never stops (here the Kafka broker, as an aiokafka consumer retrying its
group coordinator on leaving does) is abandoned after its bound, the other
parts still stop, and the stop says which part overran. ``serving`` (the test
helper that runs a service) turns a stop past its bound, or a failed one, into
a failing teardown that names the app instead of a suite that never ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from edu_contracts.services import ServiceName
from edu_runtime.runtime import ServiceRuntime, ShutdownIncomplete
from edu_runtime.settings import ServiceSettings
from edu_tools.backends import free_port
from edu_tools.testing import TeardownTimeout, serving
from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from pydantic_settings import SettingsConfigDict


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_PROBE_", extra="ignore")
    SERVICE: ClassVar[ServiceName] = ServiceName.RETENTION
    http_port: int = 0
    mongo_db: str = "runtime_shutdown"


async def test_a_part_that_never_stops_is_abandoned_and_named(
    make_settings: Callable[..., Any],
) -> None:
    settings = make_settings(ProbeSettings, shutdown_step_timeout_seconds=0.5)
    runtime = ServiceRuntime(settings)
    await runtime.start()
    real_stop = runtime.broker.stop
    never = asyncio.Event()

    async def stuck(*_: Any) -> None:
        await never.wait()

    runtime.broker.stop = stuck  # type: ignore[method-assign,assignment]
    started = time.monotonic()
    with pytest.raises(ShutdownIncomplete) as raised:
        await runtime.stop()
    elapsed = time.monotonic() - started
    await real_stop()

    assert raised.value.steps == ["kafka broker"]
    assert "retention" in str(raised.value)
    assert elapsed < 5, elapsed
    # The parts after the stuck one were still stopped: the MongoDB client is closed.
    with pytest.raises(Exception, match=r"closed|Cannot use"):
        await runtime.mongo.admin.command("ping")


@get("/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


def _app(on_shutdown: Callable[[], Any]) -> Litestar:
    return Litestar([ping], on_shutdown=[on_shutdown], openapi_config=OpenAPIConfig("probe", "1"))


async def test_serving_fails_the_teardown_of_an_app_that_does_not_stop() -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    started = time.monotonic()
    with pytest.raises(TeardownTimeout, match=r"probe on :\d+ did not stop within 1 s"):
        async with serving(_app(forever), free_port(), stop_seconds=1.0) as service:
            assert (await service.client.get("/ping")).text == "pong"
    assert time.monotonic() - started < 10


async def test_serving_fails_the_teardown_of_an_app_whose_shutdown_failed() -> None:
    async def failing() -> None:
        raise ShutdownIncomplete("probe", ["kafka broker"])

    with pytest.raises(TeardownTimeout, match=r"probe on :\d+: its shutdown failed"):
        async with serving(_app(failing), free_port()) as service:
            assert (await service.client.get("/ping")).status_code == 200
