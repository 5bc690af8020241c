"""Fixtures of the documents tests: the service running on a real port against
the session's embedded Kafka and MongoDB, a producer for commands and orders,
and a watcher of what the service publishes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from edu_contracts import topics
from edu_contracts.documents import DocumentContent, Language, RenderRequested
from edu_contracts.envelope import Envelope
from edu_documents.app import create_app
from edu_documents.settings import DocumentsSettings
from edu_tools.backends import Backends
from edu_tools.personal_codes import old_code
from edu_tools.testing import RunningService, eventually, publish, serving
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

CITIZEN = old_code(dt.date(1984, 2, 29), 321)
OTHER_CITIZEN = old_code(dt.date(1990, 7, 14), 654)
SCHOOL = "sample"  # the samples' institution id
OTHER_SCHOOL = "inst-elsewhere"


@dataclass
class Documents:
    http: RunningService
    db: Any
    settings: DocumentsSettings


@pytest.fixture(scope="module")
async def documents(
    make_settings: Callable[..., Any], edu_backends: Backends, span_exporter: InMemorySpanExporter
) -> AsyncIterator[Documents]:
    settings = make_settings(DocumentsSettings)
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(
        edu_backends.mongo_url, tz_aware=True, uuidRepresentation="standard"
    )
    async with serving(
        create_app(settings, span_exporters=[span_exporter]), settings.http_port
    ) as http:
        yield Documents(http, mongo[settings.mongo_db], settings)
    await mongo.close()


class Kafka:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def send(self, event: Envelope) -> None:
        await publish(self.producer, event)


@pytest.fixture(scope="module")
async def kafka(edu_backends: Backends) -> AsyncIterator[Kafka]:
    producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
    await producer.start()
    try:
        yield Kafka(producer)
    finally:
        await producer.stop()


@dataclass
class Published:
    """Everything published on the documents' output topics since the module began."""

    consumer: AIOKafkaConsumer
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def _poll(self) -> None:
        batch = await self.consumer.getmany(timeout_ms=100)
        for records in batch.values():
            self.seen.extend(json.loads(r.value) for r in records)

    async def matching(self, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        await self._poll()
        return [e for e in self.seen if predicate(e)]

    async def one(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20
    ) -> dict[str, Any]:
        async def probe() -> list[dict[str, Any]]:
            return await self.matching(predicate)

        found = await eventually(probe, timeout=timeout)
        return found[0]

    async def answer(self, cause: Envelope, event_type: str) -> dict[str, Any]:
        """The ``event_type`` event ``cause`` caused (its causation_id)."""
        return await self.one(
            lambda e: e["event_type"] == event_type and e["causation_id"] == str(cause.event_id)
        )

    async def settle(self, seconds: float = 1.0) -> None:
        """Keep collecting for a while (to show that nothing more arrives)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            await self._poll()


@pytest.fixture(scope="module")
async def published(edu_backends: Backends) -> AsyncIterator[Published]:
    consumer = AIOKafkaConsumer(
        topics.DOCUMENT_EVENTS,
        topics.RETENTION_CONFIRMATIONS,
        bootstrap_servers=edu_backends.kafka_bootstrap,
        group_id=f"documents-test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        yield Published(consumer)
    finally:
        await consumer.stop()


@pytest.fixture
def render_command() -> Callable[..., RenderRequested]:
    def make(
        content: DocumentContent,
        *,
        reader: str = CITIZEN,
        application_id: uuid.UUID | None = None,
        institution_id: str | None = SCHOOL,
        language: Language = Language.LV,
        document_id: uuid.UUID | None = None,
    ) -> RenderRequested:
        return RenderRequested.model_validate(
            {
                "producer": "test",
                "correlation_id": f"test-{uuid.uuid4().hex[:8]}",
                "payload": {
                    "document_id": document_id or uuid.uuid4(),
                    "language": language,
                    "application_id": application_id,
                    "institution_id": institution_id,
                    "reader_code": reader,
                    "content": content,
                },
            }
        )

    return make
