"""Dead letters from the command line: ``edu dlq list | show | replay | discard``.

A consumer that gives up publishes the message to ``edu.dead-letter.v1`` as a
``DeadLetter`` (original topic, partition, offset, key, value, headers, consumer,
error type, reason). A letter is named by where it sits on the dead-letter
topic: ``<partition>:<offset>``.

Kafka records cannot be changed, so what an operator did with a letter is
written next to it, on the same topic: a small resolution record (header
``x-edu-dlq-resolution``) saying "letter 0:17 replayed" or "discarded". ``list``
reads the whole topic (no consumer group, nothing committed), pairs letters with
their resolutions and shows the open ones by default. The record of what was
done stays as long as the letters do (30 days) and is the same for every
operator and pod.

``replay`` publishes a letter unchanged (key, value, headers, plus
``x-edu-replayed-from``) to the topic it came from and then records it as
replayed. Replaying twice is harmless: every consumer records the event ids it
applied (inbox) and skips a repeat.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from edu_contracts import topics
from edu_contracts.dead_letter import DeadLetter
from edu_runtime.pseudonym import redact_personal_codes
from pydantic import BaseModel, ValidationError

REPLAY_HEADER = "x-edu-replayed-from"
RESOLUTION_HEADER = "x-edu-dlq-resolution"

Action = Literal["replayed", "discarded"]
Status = Literal["open", "replayed", "discarded"]


class Resolution(BaseModel):
    """What an operator did with one letter (written to the dead-letter topic)."""

    partition: int
    offset: int
    action: Action
    at: dt.datetime
    note: str | None = None


@dataclass
class StoredLetter:
    partition: int
    offset: int
    letter: DeadLetter
    resolution: Resolution | None = None

    @property
    def id(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def status(self) -> Status:
        return self.resolution.action if self.resolution else "open"


@dataclass
class DeadLetters:
    letters: list[StoredLetter]
    unreadable: int  # records that are neither a letter nor a resolution


@dataclass(frozen=True)
class Selection:
    """Which letters a command applies to; every given criterion must hold."""

    ids: tuple[str, ...] = ()
    original_topic: str | None = None
    consumer: str | None = None
    error_type: str | None = None
    older_than: dt.timedelta | None = None
    since: dt.datetime | None = None
    status: Status | Literal["all"] = "open"

    def wants(self, stored: StoredLetter, now: dt.datetime) -> bool:
        letter = stored.letter
        return (
            (not self.ids or stored.id in self.ids)
            and self.status in ("all", stored.status)
            and (self.original_topic is None or letter.original_topic == self.original_topic)
            and (self.consumer is None or letter.consumer.startswith(self.consumer))
            and (self.error_type is None or letter.error_type == self.error_type)
            and (self.since is None or letter.failed_at >= self.since)
            and (self.older_than is None or now - letter.failed_at >= self.older_than)
        )


async def read_all(bootstrap: str, *, timeout: float = 30.0) -> DeadLetters:
    """Every record on the dead-letter topic, from the beginning to its current
    end, read without a consumer group (nothing is committed)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="edu-dlq"
    )
    await consumer.start()
    try:
        records = await _records_to_end(consumer, timeout)
    finally:
        await consumer.stop()
    letters: dict[tuple[int, int], StoredLetter] = {}
    resolutions: dict[tuple[int, int], Resolution] = {}
    unreadable = 0
    for partition, record in records:
        try:
            if RESOLUTION_HEADER in dict(record.headers or ()):
                resolution = Resolution.model_validate_json(record.value or b"")
                resolutions[(resolution.partition, resolution.offset)] = resolution
            else:
                letter = DeadLetter.model_validate_json(record.value or b"")
                letters[(partition, record.offset)] = StoredLetter(partition, record.offset, letter)
        except ValidationError:
            unreadable += 1
    for key, resolution in resolutions.items():
        if key in letters:
            letters[key].resolution = resolution
    ordered = sorted(letters.values(), key=lambda s: (s.letter.failed_at, s.partition, s.offset))
    return DeadLetters(ordered, unreadable)


async def _records_to_end(consumer: AIOKafkaConsumer, timeout: float) -> list[tuple[int, Any]]:
    await consumer.topics()  # loads the cluster's metadata
    partitions = sorted(consumer.partitions_for_topic(topics.DEAD_LETTER) or ())
    assigned = [TopicPartition(topics.DEAD_LETTER, p) for p in partitions]
    if not assigned:
        return []
    consumer.assign(assigned)
    await consumer.seek_to_beginning(*assigned)
    ends = await consumer.end_offsets(assigned)
    pending = {tp for tp in assigned if ends[tp] > await consumer.position(tp)}
    deadline = time.monotonic() + timeout
    found: list[tuple[int, Any]] = []
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topics.DEAD_LETTER} not read to its end in {timeout}s")
        batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=500)
        for tp, records in batch.items():
            found.extend((tp.partition, r) for r in records if r.offset < ends[tp])
        for tp in list(pending):
            if await consumer.position(tp) >= ends[tp]:
                pending.discard(tp)
    return found


def select(letters: Iterable[StoredLetter], selection: Selection) -> list[StoredLetter]:
    now = dt.datetime.now(dt.UTC)
    return [s for s in letters if selection.wants(s, now)]


async def resolve(
    bootstrap: str,
    chosen: Sequence[StoredLetter],
    action: Action,
    *,
    note: str | None = None,
    idempotence: bool = False,
) -> list[Resolution]:
    """Replay (to the original topic, unchanged) or discard each chosen letter,
    and record what was done next to it. A replay is published before its
    resolution: a crash in between leaves the letter open, and replaying it
    again is harmless (consumers dedupe on event ids)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotence
    )
    await producer.start()
    done: list[Resolution] = []
    try:
        for stored in chosen:
            letter = stored.letter
            if action == "replayed":
                headers = [(k, v.encode()) for k, v in letter.headers.items()]
                headers.append((REPLAY_HEADER, stored.id.encode()))
                await producer.send_and_wait(
                    letter.original_topic,
                    letter.value.encode(),
                    key=letter.key.encode() if letter.key is not None else None,
                    headers=headers,
                )
            resolution = Resolution(
                partition=stored.partition,
                offset=stored.offset,
                action=action,
                at=dt.datetime.now(dt.UTC),
                note=note,
            )
            await producer.send_and_wait(
                topics.DEAD_LETTER,
                resolution.model_dump_json().encode(),
                key=f"resolution:{stored.id}".encode(),
                headers=[(RESOLUTION_HEADER, b"1"), ("content-type", b"application/json")],
            )
            stored.resolution = resolution
            done.append(resolution)
    finally:
        await producer.stop()
    return done


# --------------------------------------------------------------------- output
def age(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    seconds = int(((now or dt.datetime.now(dt.UTC)) - moment).total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 2 * 3600:
        return f"{seconds // 60}m"
    if seconds < 2 * 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def summary(letters: Sequence[StoredLetter]) -> list[tuple[str, str, int, str]]:
    """(original topic, error type, how many, age of the oldest) per group."""
    groups: dict[tuple[str, str], list[StoredLetter]] = {}
    for stored in letters:
        groups.setdefault((stored.letter.original_topic, stored.letter.error_type), []).append(
            stored
        )
    return [
        (topic, error, len(group), age(min(s.letter.failed_at for s in group)))
        for (topic, error), group in sorted(groups.items())
    ]


def details(stored: StoredLetter, *, unmasked: bool = False) -> str:
    """One letter in full; personal codes masked unless asked otherwise."""
    letter = stored.letter
    try:
        value = json.dumps(json.loads(letter.value), indent=2, ensure_ascii=False)
    except ValueError:
        value = letter.value
    body = {
        "id": stored.id,
        "status": stored.status,
        "resolution": stored.resolution.model_dump(mode="json") if stored.resolution else None,
        **letter.model_dump(mode="json", exclude={"value"}),
    }
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\nvalue:\n" + value
    return text if unmasked else redact_personal_codes(text)
