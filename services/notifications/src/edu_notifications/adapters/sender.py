"""The sender: a loop that takes due messages from the queue (``messages``)
and delivers them on a channel, recording each try's outcome (domain
``delivery.after_failure``). A message that failed for good is published to
the dead-letter topic, where ``edu dlq`` shows it.

At least once: a sender killed after the server took a message and before
"sent" was recorded sends it again when the claim's lease runs out (the
Message-ID stays the same, so a receiver can drop the repeat). Never lost: the
message was committed with the event that caused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from edu_contracts import topics
from edu_contracts.dead_letter import DeadLetter
from edu_runtime.metrics import ServiceMetrics
from edu_runtime.mongo import Doc
from faststream.kafka import KafkaBroker

from edu_notifications.adapters.channels import Channel, DeliveryError
from edu_notifications.adapters.store import NotificationStore
from edu_notifications.domain.delivery import DeliveryState, RetryPolicy, after_failure

log = logging.getLogger(__name__)

CONSUMER = "notifications.sender"
SMTP_TOPIC = "smtp"  # where a dead letter's message was going (not a Kafka topic)


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    loops: int = 0
    last_sent_at: dt.datetime | None = None


class Sender:
    def __init__(
        self,
        store: NotificationStore,
        channel: Channel,
        broker: Callable[[], KafkaBroker],
        metrics: ServiceMetrics,
        clock: Callable[[], dt.datetime],
        *,
        policy: RetryPolicy,
        batch_size: int,
        poll_seconds: float,
        lease: dt.timedelta,
        record_sent: Callable[[list[tuple[Doc, dt.datetime]]], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        # How a delivery is recorded (service.record_sent: with its event).
        self._record_sent = record_sent
        self._channel = channel
        self._broker = broker
        self._clock = clock
        self._policy = policy
        self._batch = batch_size
        self._poll = poll_seconds
        self._lease = lease
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stats = SenderStats()
        self._sent = metrics.counter(
            "edu.notifications.sent", "{message}", "Messages delivered, by kind and channel."
        )
        self._failed = metrics.counter(
            "edu.notifications.failed",
            "{message}",
            "Messages that failed for good (dead letters), by kind and channel.",
        )
        self._retries = metrics.counter(
            "edu.notifications.retries",
            "{attempt}",
            "Failed tries that will be tried again, by kind and channel.",
        )

    def notify(self) -> None:
        """New messages were queued: deliver now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifications-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._channel.close()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("sender loop failed; trying again")
            self.stats.loops += 1
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def run_once(self) -> int:
        """Deliver up to one batch of due messages; returns how many were tried."""
        tried = 0
        # Deliveries are recorded together, once the batch is tried: one unit
        # of work (and its events) per batch rather than per message. A crash
        # before the record sends them again after the lease, as it always could.
        sent: list[tuple[Doc, dt.datetime]] = []
        try:
            while tried < self._batch:
                doc = await self._store.claim(self._clock(), self._lease)
                if doc is None:
                    break
                tried += 1
                if await self._deliver(doc):
                    sent.append((doc, self._clock()))
        finally:
            try:
                await self._record(sent)
            finally:
                await self._channel.close()
        await self._publish_dead_letters()
        return tried

    async def _deliver(self, doc: Doc) -> bool:
        """Send one message; True if the server took it (recorded by the
        caller), False if the try failed (recorded here)."""
        key: str = doc["_id"]
        labels = {"edu.notification.kind": doc["kind"], "edu.notification.channel": "email"}
        try:
            await self._channel.send(key, doc["to"], doc["subject"], doc["text"], doc["html"])
        except DeliveryError as exc:
            outcome = after_failure(
                doc["attempts"], self._policy, self._clock(), permanent=exc.permanent
            )
            await self._store.mark_failed_try(key, outcome.state, outcome.next_attempt_at, str(exc))
            if outcome.state is DeliveryState.FAILED:
                self.stats.failed += 1
                self._failed.add(1, labels)
                log.error(
                    "message failed for good",
                    extra={"key": key, "attempts": doc["attempts"], "error": str(exc)},
                )
            else:
                self.stats.retried += 1
                self._retries.add(1, labels)
                log.warning(
                    "message not delivered, retrying later",
                    extra={"key": key, "attempts": doc["attempts"], "error": str(exc)},
                )
            return False
        return True

    async def _record(self, sent: list[tuple[Doc, dt.datetime]]) -> None:
        if not sent:
            return
        if self._record_sent is not None:
            await self._record_sent(sent)
        else:
            for doc, at in sent:
                await self._store.mark_sent(doc["_id"], at)
        for doc, at in sent:
            self.stats.sent += 1
            self.stats.last_sent_at = at
            self._sent.add(
                1, {"edu.notification.kind": doc["kind"], "edu.notification.channel": "email"}
            )

    async def _publish_dead_letters(self) -> None:
        """Publish the dead letter of each message that failed for good (again
        after a crash between the two: a letter may appear twice, never not)."""
        for _ in range(self._batch):
            doc = await self._store.claim_dead_letter(self._clock(), self._lease)
            if doc is None:
                return
            # A digest is about an institution, not one application.
            subject_key: str = doc["application_id"] or doc["_id"]
            letter = DeadLetter(
                original_topic=SMTP_TOPIC,
                partition=None,
                offset=None,
                key=subject_key,
                # What failed, without the address or the texts (personal data
                # stays in the service's own store, where it can be purged).
                value=json.dumps(
                    {
                        "message_key": doc["_id"],
                        "kind": doc["kind"],
                        "application_id": doc["application_id"],
                    }
                ),
                headers={"content-type": "application/json"},
                consumer=CONSUMER,
                error_type="DeliveryError",
                reason=doc.get("last_error") or "delivery failed",
                attempts=doc["attempts"],
                failed_at=self._clock(),
            )
            await self._broker().publish(
                letter.model_dump_json().encode(),
                topics.DEAD_LETTER,
                key=subject_key.encode(),
                headers={"content-type": "application/json"},
            )
            await self._store.mark_dead_lettered(doc["_id"])
