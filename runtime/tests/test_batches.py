"""Batch consumers against the session's real Kafka and MongoDB: records are
applied together, a poisoned record is dead-lettered alone, the others are
applied exactly once, and each record's trace continues through the batch."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from edu_contracts import topics
from edu_contracts.services import ServiceName
from edu_runtime.batches import Delivery
from edu_runtime.kafka import ensure_topics
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.settings import ServiceSettings
from edu_runtime.unit_of_work import UnitOfWork
from edu_tools.backends import Backends
from edu_tools.testing import eventually
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_PROBE_", extra="ignore")
    SERVICE: ClassVar[ServiceName] = ServiceName.RETENTION
    http_port: int = 0
    mongo_db: str = "runtime_batches"


class Probe(BaseModel):
    event_id: uuid.UUID
    n: int


POISONED = 3
SENTINEL = 99  # sent last, to know everything before it was processed
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"


async def send(backends: Backends, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backends.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, key=b"same-partition", headers=[("content-type", b"application/json")]
        )
    finally:
        await producer.stop()


async def test_batch_applies_records_together_and_dead_letters_only_the_poisoned(
    make_settings: Callable[..., Any], edu_backends: Backends
) -> None:
    topic = f"edu.test.batches.{uuid.uuid4().hex[:8]}"
    await ensure_topics(edu_backends.kafka_bootstrap, [topic], partitions=1, replication=1)
    ids = [uuid.uuid4() for _ in range(6)]
    values = [Probe(event_id=i, n=n).model_dump_json().encode() for n, i in enumerate(ids)]
    values[2] = b"{not json"
    producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
    await producer.start()
    try:
        # All sent before the consumer starts: they arrive as one batch.
        for n, value in enumerate(values):
            headers = [("content-type", b"application/json")]
            if n == 0:
                headers.append(("traceparent", f"00-{TRACE_ID}-{PARENT_SPAN}-01".encode()))
            await producer.send_and_wait(topic, value, key=b"same-partition", headers=headers)
        # A redelivery of record 1 (same event id) in the same batch.
        await producer.send_and_wait(topic, values[1], key=b"same-partition")
    finally:
        await producer.stop()

    exporter = InMemorySpanExporter()
    runtime = ServiceRuntime(
        make_settings(ProbeSettings, consumer_max_attempts=2), span_exporters=[exporter]
    )
    applied = runtime.db["applied"]
    inbox = runtime.inbox("probe")
    batch_sizes: list[int] = []

    async def handle(batch: Sequence[Delivery[Probe]]) -> None:
        batch_sizes.append(len(batch))
        if any(d.event.n == POISONED for d in batch):
            raise RuntimeError("record 3 is poisoned")
        by_id = {d.event.event_id: d for d in batch}
        fresh = await inbox.unseen(by_id)

        async def work(uow: UnitOfWork) -> None:
            if fresh:
                await applied.insert_many(
                    [{"_id": str(e), "n": by_id[e].event.n} for e in fresh], session=uow.session
                )

        if fresh:
            await inbox.apply_all(fresh, work)

    runtime.batch_subscriber(topic, "probe", Probe, handle)
    letters = AIOKafkaConsumer(
        topics.DEAD_LETTER,
        bootstrap_servers=edu_backends.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await letters.start()
    await runtime.start()
    try:

        async def all_applied() -> list[dict[str, Any]] | None:
            docs = await applied.find({}).sort("n", 1).to_list()
            return docs if len(docs) >= 4 else None

        await eventually(all_applied, timeout=30)
        mine: list[dict[str, Any]] = []

        async def read_letters() -> list[dict[str, Any]]:
            for records in (await letters.getmany(timeout_ms=200)).values():
                for record in records:
                    letter = json.loads(record.value or b"{}")
                    if letter.get("original_topic") == topic:  # not an operator's resolution
                        mine.append(letter)
            return mine

        async def both_letters() -> list[dict[str, Any]] | None:
            return mine if len(await read_letters()) >= 2 else None

        await eventually(both_letters, timeout=30)
        # Nothing more may arrive. Proved without sleeping: a sentinel sent after
        # every record under test, on the same partition, is applied only after
        # all of them were applied or dead-lettered (a record is dead-lettered
        # before its batch ends); then the dead-letter topic is read to its end.
        sentinel = Probe(event_id=uuid.uuid4(), n=SENTINEL)
        await send(edu_backends, topic, sentinel.model_dump_json().encode())
        await eventually(lambda: applied.find_one({"_id": str(sentinel.event_id)}), timeout=30)
        assert letters.assignment()
        ends = await letters.end_offsets(list(letters.assignment()))
        for tp, end in ends.items():
            while await letters.position(tp) < end:
                await read_letters()
        docs = await applied.find({}).sort("n", 1).to_list()
    finally:
        await runtime.stop()
        await letters.stop()

    # Every good record applied exactly once, the redelivery included.
    assert [d["n"] for d in docs] == [0, 1, 4, 5, SENTINEL]
    assert max(batch_sizes) > 1, batch_sizes
    assert len(mine) == 2, mine  # one letter per bad record, no more
    by_reason = {letter["error_type"]: letter for letter in mine}
    assert set(by_reason) == {"ValidationError", "RuntimeError"}
    assert by_reason["ValidationError"]["value"] == "{not json"
    assert by_reason["ValidationError"]["attempts"] == 1  # unparseable: not retried
    assert by_reason["RuntimeError"]["attempts"] == 2
    assert str(ids[POISONED]) in by_reason["RuntimeError"]["value"]
    assert "poisoned" in by_reason["RuntimeError"]["reason"]

    record_spans = [
        s
        for s in exporter.get_finished_spans()
        if s.kind is SpanKind.CONSUMER and s.name == f"{topic} process" and s.parent
    ]
    traced = [s for s in record_spans if f"{s.context.trace_id:032x}" == TRACE_ID]
    assert len(traced) == 1
    assert traced[0].parent is not None
    assert f"{traced[0].parent.span_id:016x}" == PARENT_SPAN
