"""The whole system in-process for cross-service tests: the four services on
real HTTP ports, talking through the session's embedded Kafka and MongoDB."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from edu_applications.app import create_app as create_applications
from edu_applications.settings import ApplicationsSettings
from edu_documents.app import create_app as create_documents
from edu_documents.settings import DocumentsSettings
from edu_registry_reader.app import create_app as create_registry
from edu_registry_reader.settings import RegistryReaderSettings
from edu_retention.app import create_app as create_retention
from edu_retention.clock import ManualClock
from edu_retention.settings import RetentionSettings
from edu_tools.backends import Backends
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import RunningService, serving, settings_factory
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

from tests.world import World, build_world, load_world

if TYPE_CHECKING:
    from tests.flows import Actors

# The production smoke runs against the manifests played by `make prod-check`
# (which sets EDU_PROD_GATEWAY), never against this in-process stack.
collect_ignore = [] if os.environ.get("EDU_PROD_GATEWAY") else ["production"]


@dataclass
class Stack:
    registry: RunningService
    applications: RunningService
    documents: RunningService
    retention: RunningService
    registry_settings: RegistryReaderSettings
    applications_settings: ApplicationsSettings
    documents_settings: DocumentsSettings
    retention_settings: RetentionSettings
    mongo: AsyncMongoClient[Any]
    clock: ManualClock

    def db(self, settings: Any) -> Any:
        return self.mongo[settings.mongo_db]

    async def world(self) -> World:
        world = build_world()
        await load_world(self.db(self.registry_settings), world)
        return world


@pytest.fixture(scope="session")
def edu_backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    """The cross-service tests get servers of their own: the services' suites
    leave hundreds of consumer groups and their traffic on the shared broker."""
    with Backends.on_free_ports(tmp_path_factory.mktemp("cross-service-backends")) as backends:
        yield backends


@pytest.fixture(scope="session")
def make_settings(
    edu_backends: Backends, edu_data_dir: Path, gateway: GatewayKeys
) -> Callable[..., Any]:
    return settings_factory(edu_backends, edu_data_dir)


@pytest.fixture(scope="session")
async def stack(
    make_settings: Callable[..., Any], span_exporter: InMemorySpanExporter, edu_backends: Backends
) -> AsyncIterator[Stack]:
    registry_settings = make_settings(RegistryReaderSettings)
    documents_settings = make_settings(DocumentsSettings)
    # Retention sweeps only when a test asks, on a clock the test moves.
    retention_settings = make_settings(RetentionSettings, sweeper_enabled=False)
    applications_settings = make_settings(
        ApplicationsSettings,
        registry_url=f"http://127.0.0.1:{registry_settings.http_port}",
        documents_url=f"http://127.0.0.1:{documents_settings.http_port}",
    )
    exporters = [span_exporter]
    clock = ManualClock(dt.datetime.now(dt.UTC))
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(edu_backends.mongo_url, tz_aware=True)
    async with contextlib.AsyncExitStack() as services:
        registry = await services.enter_async_context(
            serving(
                create_registry(registry_settings, span_exporters=exporters),
                registry_settings.http_port,
            )
        )
        documents = await services.enter_async_context(
            serving(
                create_documents(documents_settings, span_exporters=exporters),
                documents_settings.http_port,
            )
        )
        retention = await services.enter_async_context(
            serving(
                create_retention(retention_settings, span_exporters=exporters, clock=clock),
                retention_settings.http_port,
            )
        )
        applications = await services.enter_async_context(
            serving(
                create_applications(applications_settings, span_exporters=exporters),
                applications_settings.http_port,
            )
        )
        yield Stack(
            registry,
            applications,
            documents,
            retention,
            registry_settings,
            applications_settings,
            documents_settings,
            retention_settings,
            mongo,
            clock,
        )
    await mongo.close()


@pytest.fixture
async def actors(stack: Stack, gateway: GatewayKeys) -> Actors:
    """A new world's people with their tokens (tests.flows.make_actors)."""
    from tests.flows import make_actors  # tests.flows imports this module

    return await make_actors(stack, gateway)
