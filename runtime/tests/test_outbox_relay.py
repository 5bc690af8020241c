"""The outbox relay against the session's real MongoDB and Kafka, with
transactions serialised as on the embedded server (the default for local runs):
the relay never reads or deletes while a transaction of its process is open, so
it publishes no event of a change that then aborts, and a committed change's
event is published once and then deleted.

Without the lock the embedded server (nx-27017) shows a plain read the open
transaction's uncommitted outbox record, and a plain write commits the half of
it written so far (measured, ARCHITECTURE.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from edu_contracts.retention import (
    PurgeConfirmed,
    PurgeConfirmedPayload,
    PurgeSubject,
    PurgeSubjectKind,
)
from edu_contracts.services import ServiceName
from edu_runtime.kafka import ensure_topics
from edu_runtime.mongo import CODEC_OPTIONS, create_client, serialize_transactions, transaction
from edu_runtime.outbox import Outbox, OutboxRelay
from edu_tools.backends import Backends
from faststream.kafka import KafkaBroker

TOPIC = f"edu.test.outbox-relay.{uuid.uuid4().hex[:8]}"


class Probe(PurgeConfirmed):
    TOPIC: ClassVar[str] = TOPIC  # a topic of its own: nobody else reads it


def probe() -> Probe:
    return Probe(
        producer=ServiceName.APPLICATIONS,
        correlation_id="relay-probe",
        payload=PurgeConfirmedPayload(
            order_id=uuid.uuid4(),
            owner=ServiceName.APPLICATIONS,
            subject=PurgeSubject(kind=PurgeSubjectKind.APPLICATION, id="a-1"),
            deleted={"applications": 1},
            confirmed_at=dt.datetime.now(dt.UTC),
        ),
    )


class Aborted(Exception):
    pass


@pytest.fixture
async def setup(edu_backends: Backends) -> AsyncIterator[tuple[Any, Outbox, OutboxRelay]]:
    await ensure_topics(edu_backends.kafka_bootstrap, [TOPIC], partitions=1, replication=1)
    client = create_client(edu_backends.mongo_url, "relay-tests")
    serialize_transactions(client)
    db: Any = client.get_database(f"relay_{uuid.uuid4().hex[:8]}", codec_options=CODEC_OPTIONS)
    for name in ("things", "outbox"):
        await db.create_collection(name)
    broker = KafkaBroker(edu_backends.kafka_bootstrap)
    await broker.connect()
    outbox = Outbox(db)
    yield db, outbox, OutboxRelay(outbox, broker, poll_seconds=0.1)
    await broker.stop()
    await client.drop_database(db.name)
    await client.close()


async def on_topic(bootstrap: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(TOPIC, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        found: list[bytes] = []
        while await consumer.position(partition) < end:
            batch = await consumer.getmany(partition, timeout_ms=1000)
            found += [r.value or b"" for records in batch.values() for r in records]
        return found
    finally:
        await consumer.stop()


async def test_relay_waits_for_an_open_transaction_and_publishes_nothing_it_aborted(
    setup: tuple[Any, Outbox, OutboxRelay], edu_backends: Backends
) -> None:
    db, outbox, relay = setup
    aborted, committed = probe(), probe()
    polls: list[asyncio.Task[int]] = []

    async def change_then_abort() -> None:
        async with transaction(db.client) as session:
            await db["things"].insert_one({"_id": "t1"}, session=session)
            await outbox.add_many([aborted], session)
            polls.append(asyncio.create_task(relay.publish_pending()))
            await asyncio.sleep(0.5)
            assert not polls[0].done()  # it waits for the transaction to end
            raise Aborted  # e.g. a stale version found after the first writes

    with pytest.raises(Aborted):
        await change_then_abort()
    assert await polls[0] == 0
    assert await db["things"].count_documents({}) == 0
    assert await db["outbox"].count_documents({}) == 0

    async with transaction(db.client) as session:
        await db["things"].insert_one({"_id": "t2"}, session=session)
        await outbox.add_many([committed], session)
    assert await relay.publish_pending() == 1
    assert await db["outbox"].count_documents({}) == 0  # deleted once acknowledged
    published = await on_topic(edu_backends.kafka_bootstrap)
    assert [Probe.model_validate_json(v).event_id for v in published] == [committed.event_id]
