"""``edu dlq`` against the real (embedded) broker: letters listed by topic,
reason and age; one shown in full with personal codes masked; replay only after
a confirmation, to the original topic with key, value and headers unchanged;
what was done recorded on the topic, so a replayed or discarded letter is no
longer open and cannot be replayed again by mistake."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from edu_contracts import topics
from edu_contracts.dead_letter import DeadLetter
from edu_tools.backends import Backends
from edu_tools.cli import app as edu_cli
from edu_tools.dlq import REPLAY_HEADER
from typer.testing import CliRunner

CODE = "120485-11116"  # a valid personal code, which must not be shown in clear


def _letter(topic: str, key: str, value: str, error: str, minutes_ago: int) -> DeadLetter:
    return DeadLetter(
        original_topic=topic,
        partition=0,
        offset=7,
        key=key,
        value=value,
        headers={"content-type": "application/json", "correlation_id": "c-1"},
        consumer="retention.status",
        error_type=error,
        reason=f"{error}: something went wrong",
        attempts=3,
        failed_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago),
    )


async def _publish(bootstrap: str, letters: list[DeadLetter]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                topics.DEAD_LETTER,
                letter.model_dump_json().encode(),
                key=(letter.key or "").encode(),
            )
    finally:
        await producer.stop()


async def _records(bootstrap: str, topic: str) -> list[Any]:
    """Everything on ``topic`` (read by partition, no group: no join to wait for)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in partitions]
        if not assigned:
            return []
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        found: list[Any] = []
        while True:
            positions = [await consumer.position(tp) for tp in assigned]
            if all(pos >= ends[tp] for pos, tp in zip(positions, assigned, strict=True)):
                return found
            batch = await consumer.getmany(timeout_ms=1000)
            found.extend(r for rs in batch.values() for r in rs)
    finally:
        await consumer.stop()


def _edu(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(edu_cli, ["dlq", *args], input=input)


def _listed(bootstrap: str, topic: str, status: str = "open") -> list[dict[str, Any]]:
    result = _edu("list", "--bootstrap", bootstrap, "--topic", topic, "--status", status, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_list_show_replay_discard(edu_backends: Backends) -> None:
    bootstrap = edu_backends.kafka_bootstrap
    topic = f"edu.test-dlq.{uuid.uuid4().hex[:6]}"
    retryable = _letter(topic, "app-1", '{"event_id":"e-1"}', "RuntimeError", minutes_ago=90)
    malformed = _letter(topic, "app-2", f'{{"code":"{CODE}"}}', "ValidationError", 5)
    another = _letter(topic, "app-3", "not json", "ValidationError", 1)
    asyncio.run(_publish(bootstrap, [retryable, malformed, another]))

    listed = _listed(bootstrap, topic)
    assert [(x["key"], x["error_type"]) for x in listed] == [
        ("app-1", "RuntimeError"),
        ("app-2", "ValidationError"),
        ("app-3", "ValidationError"),
    ]
    ids = {x["key"]: x["id"] for x in listed}
    table = _edu("list", "--bootstrap", bootstrap, "--topic", topic)
    assert table.exit_code == 0, table.output
    assert "3 dead letters" in table.output
    assert "RuntimeError" in table.output
    assert "90m" in table.output  # the oldest letter's age
    older = _edu("list", "--bootstrap", bootstrap, "--topic", topic, "--older-than", "1h", "--json")
    assert older.exit_code == 0, older.output
    assert [json.loads(line)["key"] for line in older.output.splitlines()] == ["app-1"]

    shown = _edu("show", ids["app-2"], "--bootstrap", bootstrap)
    assert shown.exit_code == 0, shown.output
    assert "ValidationError" in shown.output
    assert CODE not in shown.output  # masked
    assert _edu("show", "9:999999", "--bootstrap", bootstrap).exit_code == 1

    # No confirmation, nothing happens.
    declined = _edu(
        "replay",
        "--bootstrap",
        bootstrap,
        "--topic",
        topic,
        "--reason",
        "RuntimeError",
        input="n\n",
    )
    assert declined.exit_code == 1
    assert asyncio.run(_records(bootstrap, topic)) == []

    confirmed = _edu(
        "replay",
        "--bootstrap",
        bootstrap,
        "--topic",
        topic,
        "--reason",
        "RuntimeError",
        input="y\n",
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert "replayed 1" in confirmed.output
    (record,) = asyncio.run(_records(bootstrap, topic))
    assert record.key == b"app-1"
    assert record.value == retryable.value.encode()
    headers = dict(record.headers)
    assert headers["correlation_id"] == b"c-1"
    assert headers[REPLAY_HEADER] == ids["app-1"].encode()

    assert [x["key"] for x in _listed(bootstrap, topic)] == ["app-2", "app-3"]
    assert [x["key"] for x in _listed(bootstrap, topic, "replayed")] == ["app-1"]
    again = _edu("replay", ids["app-1"], "--bootstrap", bootstrap, "--yes")
    assert again.exit_code == 1
    assert "not open" in again.output

    discarded = _edu("discard", "--bootstrap", bootstrap, "--topic", topic, "--yes")
    assert discarded.exit_code == 0, discarded.output
    assert "discarded 2" in discarded.output
    assert _listed(bootstrap, topic) == []
    assert {x["key"] for x in _listed(bootstrap, topic, "all")} == {"app-1", "app-2", "app-3"}
    assert len(asyncio.run(_records(bootstrap, topic))) == 1  # discarding publishes nothing

    # Neither command acts on everything by accident.
    assert _edu("discard", "--bootstrap", bootstrap, "--yes").exit_code == 2
