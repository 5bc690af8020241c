"""deploy/scripts/dlq_replay.py against the real embedded Kafka: a dead letter
goes back to its original topic with its key, value and headers; a second run
replays nothing; the selection filters by consumer."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import sys
import uuid
from types import ModuleType

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from deploy_checks import DEPLOY
from edu_contracts import topics
from edu_contracts.dead_letter import DeadLetter
from edu_tools.backends import Backends


@pytest.fixture(scope="module")
def dlq() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dlq_replay", DEPLOY / "scripts" / "dlq_replay.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


def _letter(topic: str, key: str, value: str, consumer: str) -> DeadLetter:
    return DeadLetter(
        original_topic=topic,
        partition=0,
        offset=7,
        key=key,
        value=value,
        headers={"content-type": "application/json", "correlation_id": "c-1"},
        consumer=consumer,
        error_type="RuntimeError",
        reason="registry-reader was down",
        attempts=3,
        failed_at=dt.datetime.now(dt.UTC),
    )


async def test_replay_republishes_to_the_original_topic(
    dlq: ModuleType, edu_backends: Backends
) -> None:
    bootstrap = edu_backends.kafka_bootstrap
    target = f"edu.test-replay.{uuid.uuid4().hex[:6]}"
    marker = uuid.uuid4().hex
    wanted = _letter(target, f"k-{marker}", f'{{"marker":"{marker}"}}', "retention")
    other = _letter(target, "other", '{"marker":"other"}', "documents")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for letter in (wanted, other):
            await producer.send_and_wait(
                topics.DEAD_LETTER, letter.model_dump_json().encode(), key=letter.key.encode()
            )
    finally:
        await producer.stop()

    group = f"replay-test-{marker[:6]}"
    out = io.StringIO()
    report = await dlq.replay(
        bootstrap,
        dlq.Selection(consumer="retention", original_topic=target),
        group_id=group,
        idle_ms=1500,
        out=out,
    )
    assert report.replayed == 1
    assert report.skipped >= 1
    assert f"replay {target} key=k-{marker}" in out.getvalue()

    consumer = AIOKafkaConsumer(
        target,
        bootstrap_servers=bootstrap,
        group_id=group + "-check",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=3000)
        records = [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    assert len(records) == 1
    (record,) = records
    assert record.key == f"k-{marker}".encode()
    assert record.value == wanted.value.encode()
    headers = dict(record.headers)
    assert headers["correlation_id"] == b"c-1"
    assert dlq.REPLAY_HEADER in headers

    # The replay committed what it read: a second run of the group starts after it.
    offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await offsets.start()
    try:
        partitions = offsets.partitions_for_topic(topics.DEAD_LETTER) or set()
        committed = [
            await offsets.committed(TopicPartition(topics.DEAD_LETTER, p)) for p in partitions
        ]
    finally:
        await offsets.stop()
    assert sum(c or 0 for c in committed) >= report.read


def test_since_without_a_zone_means_utc(dlq: ModuleType) -> None:
    assert dlq._instant("2026-09-01T02:00") == dt.datetime(2026, 9, 1, 2, tzinfo=dt.UTC)
    cet = dlq._instant("2026-09-01T02:00+03:00")
    assert cet == dt.datetime(2026, 8, 31, 23, tzinfo=dt.UTC)
    letter = _letter("t", "k", "v", "retention")
    assert dlq.Selection(since=cet).wants(letter)
    assert not dlq.Selection(consumer="documents").wants(letter)
