"""Benchmark (not a test): ``edu bench notifications``.

On fresh embedded Kafka + MongoDB servers, the notifications service runs as a
process of its own and delivers to a real SMTP server (aiosmtpd, in this
process). N status changes ("granted", each of another application) are
published to Kafka in one burst; the clock stops when the SMTP server has N
messages. Printed: messages/s end to end (Kafka → inbox + queue → SMTP), the
service's CPU per message (its user + system time, from /proc), and how many
messages arrived twice (must be 0).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from edu_contracts.applications import (
    ActorRole,
    ApplicationStatus,
    StatusChanged,
    StatusChangedPayload,
)

from edu_tools.backends import free_port
from edu_tools.bench_record import HIGHER, LOWER, BenchResult, Figure
from edu_tools.gateway import GatewayKeys
from edu_tools.stack import RunningStack, free_ports, start_stack

KEY_HEADER = b"X-Edu-Message-Key: "


@dataclass
class Counter:
    keys: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        start = content.find(KEY_HEADER)
        key = content[start + len(KEY_HEADER) : content.find(b"\r\n", start)].decode()
        with self.lock:
            self.keys[key] = self.keys.get(key, 0) + 1
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.keys)

    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in self.keys.values())


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def change(i: int) -> StatusChanged:
    app_id = uuid.uuid4()
    return StatusChanged(
        producer="applications",
        correlation_id=f"bench-{app_id}",
        payload=StatusChangedPayload(
            application_id=app_id,
            application_reference=f"IR-BNCH-{i:04d}",
            institution_id="bench",
            from_status=ApplicationStatus.SUBMITTED,
            to_status=ApplicationStatus.GRANTED,
            changed_at=dt.datetime.now(dt.UTC),
            actor_role=ActorRole.STAFF,
            version=5,
            contact_email=f"bench-{i}@example.lv",
        ),
    )


async def publish(bootstrap: str, events: list[StatusChanged]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        pending = [
            await producer.send(
                e.TOPIC, e.model_dump_json().encode(), key=e.partition_key().encode()
            )
            for e in events
        ]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def main(n: int = 10_000, timeout: float = 600.0) -> BenchResult:
    work = Path(tempfile.mkdtemp(prefix="edu-bench-notifications-"))
    GatewayKeys(work).ensure()
    counter = Counter()
    smtp_port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    env: dict[str, str | None] = {
        "EDU_LOG_LEVEL": "WARNING",
        "EDU_NOTIFICATIONS_SMTP_PORT": str(smtp_port),
        "EDU_NOTIFICATIONS_SENDER_BATCH_SIZE": "1000",
        "EDU_NOTIFICATIONS_SENDER_POLL_SECONDS": "0.2",
    }
    controller.start()
    stack: RunningStack | None = None
    try:
        stack = start_stack(work, free_ports("notifications"), env=env)
        backends, child = stack.backends, stack.children["notifications"]
        events = [change(i) for i in range(n)]
        cpu_before = cpu_seconds(child.proc.pid)
        started = time.perf_counter()
        asyncio.run(publish(backends.kafka_bootstrap, events))
        published = time.perf_counter() - started
        deadline = time.monotonic() + timeout
        while counter.count() < n and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(child.proc.pid) - cpu_before
        delivered = counter.count()
        print(f"status changes published: {n:,} in {published:.1f} s")
        print(f"messages delivered:       {delivered:,} in {elapsed:.1f} s")
        print(f"throughput:               {delivered / elapsed:,.0f} messages/s end to end")
        print(
            f"service CPU:              {cpu:.1f} s, {1000 * cpu / max(delivered, 1):.2f} ms per message"
        )
        print(f"delivered twice:          {counter.duplicates()}")
        cpu_ms = 1000 * cpu / max(delivered, 1)
        figures = [
            Figure(
                name="notifications: messages delivered end to end",
                value=delivered / elapsed,
                unit="/s",
                direction=HIGHER,
                cpu_ms=cpu_ms,
            ),
            Figure(
                name="notifications: service CPU per message",
                value=cpu_ms,
                unit="ms",
                direction=LOWER,
            ),
            Figure(
                name="notifications: delivered twice",
                value=counter.duplicates(),
                unit="messages",
                direction=LOWER,
                budget=0,
            ),
            Figure(
                name="notifications: not delivered",
                value=n - delivered,
                unit="messages",
                direction=LOWER,
                budget=0,
            ),
        ]
        ok = delivered == n and counter.duplicates() == 0
        return BenchResult(bench="notifications", exit_code=0 if ok else 1, figures=figures)
    finally:
        if stack is not None:
            stack.stop()
        controller.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000).exit_code)
