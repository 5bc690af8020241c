"""Replay dead letters: read ``edu.dead-letter.v1`` and publish each selected
message again, unchanged (key, value, headers), to the topic it came from.

Run it after fixing the cause (a bug, a missing reference record ...). Every
consumer is idempotent (inbox of applied event ids), so replaying a message
that some consumer group did apply changes nothing there.

    python deploy/scripts/dlq_replay.py --bootstrap kafka-1:9092 --dry-run
    python deploy/scripts/dlq_replay.py --bootstrap kafka-1:9092 --consumer retention \
        --since 2026-09-01T00:00:00+00:00

It reads with its own consumer group (default ``edu-ops.dlq-replay``) and
commits after publishing, so a second run only sees letters that arrived since.
Inside the cluster, any service image has what it needs:

    kubectl -n edu exec -i deploy/retention -- sh -c \
        'python - --bootstrap "$EDU_KAFKA_BOOTSTRAP" --idempotence' < deploy/scripts/dlq_replay.py
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from dataclasses import dataclass
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from edu_contracts import topics
from edu_contracts.dead_letter import DeadLetter
from pydantic import ValidationError

REPLAY_HEADER = "x-edu-replayed-from"


@dataclass(frozen=True)
class Selection:
    consumer: str | None = None
    original_topic: str | None = None
    since: dt.datetime | None = None
    error_type: str | None = None

    def wants(self, letter: DeadLetter) -> bool:
        return (
            (self.consumer is None or letter.consumer == self.consumer)
            and (self.original_topic is None or letter.original_topic == self.original_topic)
            and (self.since is None or letter.failed_at >= self.since)
            and (self.error_type is None or letter.error_type == self.error_type)
        )


@dataclass
class ReplayReport:
    read: int = 0
    replayed: int = 0
    skipped: int = 0
    unreadable: int = 0


async def replay(
    bootstrap: str,
    selection: Selection,
    *,
    group_id: str = "edu-ops.dlq-replay",
    dry_run: bool = False,
    limit: int | None = None,
    idle_ms: int = 2000,
    idempotence: bool = False,
    out: TextIO = sys.stdout,
) -> ReplayReport:
    """Replay until the dead-letter topic has been idle for ``idle_ms``."""
    report = ReplayReport()
    consumer = AIOKafkaConsumer(
        topics.DEAD_LETTER,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotence
    )
    await consumer.start()
    await producer.start()
    try:
        await _assigned(consumer)
        while limit is None or report.replayed < limit:
            batch = await consumer.getmany(timeout_ms=idle_ms, max_records=100)
            if not batch:
                break
            for partition, records in batch.items():
                for record in records:
                    report.read += 1
                    try:
                        letter = DeadLetter.model_validate_json(record.value or b"")
                    except ValidationError:
                        report.unreadable += 1
                        continue
                    if not selection.wants(letter) or (
                        limit is not None and report.replayed >= limit
                    ):
                        report.skipped += 1
                        continue
                    print(
                        f"{'would replay' if dry_run else 'replay'} {letter.original_topic} "
                        f"key={letter.key} consumer={letter.consumer} "
                        f"error={letter.error_type} failed_at={letter.failed_at.isoformat()}",
                        file=out,
                    )
                    if not dry_run:
                        headers = [(k, v.encode()) for k, v in letter.headers.items()]
                        headers.append(
                            (REPLAY_HEADER, f"{partition.partition}:{record.offset}".encode())
                        )
                        await producer.send_and_wait(
                            letter.original_topic,
                            letter.value.encode(),
                            key=letter.key.encode() if letter.key is not None else None,
                            headers=headers,
                        )
                    report.replayed += 1
            if not dry_run:
                await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()
    return report


async def _assigned(consumer: AIOKafkaConsumer, timeout: float = 60.0) -> None:
    """Wait for the group to hand us the partitions: until then an empty poll
    means "not joined yet", not "nothing left to replay"."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not consumer.assignment():
        if loop.time() > deadline:
            raise TimeoutError(f"no partitions of {topics.DEAD_LETTER} assigned in {timeout}s")
        await asyncio.sleep(0.1)


def _instant(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--consumer", help="only letters of this consumer group")
    parser.add_argument("--original-topic", help="only letters from this topic")
    parser.add_argument("--error-type", help="only this exception type, e.g. ValidationError")
    parser.add_argument("--since", type=_instant, help="failed at or after (ISO; UTC if no zone)")
    parser.add_argument("--limit", type=int, help="replay at most this many")
    parser.add_argument("--group-id", default="edu-ops.dlq-replay")
    parser.add_argument("--dry-run", action="store_true", help="list, publish nothing")
    parser.add_argument(
        "--idempotence", action="store_true", help="idempotent producer (Apache Kafka)"
    )
    args = parser.parse_args(argv)
    selection = Selection(args.consumer, args.original_topic, args.since, args.error_type)
    report = asyncio.run(
        replay(
            args.bootstrap,
            selection,
            group_id=args.group_id,
            dry_run=args.dry_run,
            limit=args.limit,
            idempotence=args.idempotence,
        )
    )
    print(
        f"read {report.read}, {'selected' if args.dry_run else 'replayed'} {report.replayed}, "
        f"skipped {report.skipped}, unreadable {report.unreadable}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
