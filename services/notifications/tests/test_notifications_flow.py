"""Notifications against the real embedded Kafka and MongoDB and a real SMTP
server (aiosmtpd, in the test): events in, e-mails out, each once, in the
application's language; SMTP failures retried, then dead-lettered."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from edu_contracts import topics
from edu_contracts.applications import (
    ApplicationStatus,
)
from edu_contracts.dead_letter import DeadLetter
from edu_contracts.documents import DocumentKind, Language, Rendered, RenderedPayload
from edu_contracts.envelope import Envelope
from edu_contracts.notifications import MessageChannel, MessageKind, MessageSent
from edu_notifications.adapters.store import NotificationStore, from_ms
from edu_tools.backends import Backends
from edu_tools.testing import eventually

from .conftest import PORTAL, Running, body, running
from .conftest import status_changed as status


@dataclass
class Harness(Running):
    store: NotificationStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = self.app.state["store"]


@pytest.fixture(scope="module")
async def h(make_settings: Callable[..., Any], edu_backends: Backends) -> AsyncIterator[Harness]:
    async with running(
        make_settings,
        edu_backends,
        sender_retry_initial_seconds=0.05,
        sender_retry_max_seconds=0.2,
        sender_max_attempts=3,
    ) as r:
        yield Harness(**vars(r))


def act(app_id: uuid.UUID, kind: DocumentKind = DocumentKind.HANDOVER_ACT) -> Rendered:
    return Rendered(
        producer="documents",
        correlation_id=f"test-{app_id}",
        payload=RenderedPayload(
            document_id=uuid.uuid4(),
            number="NA-2026-000001",
            kind=kind,
            application_id=app_id,
            institution_id="inst-1",
            sha256="0" * 64,
            size_bytes=1000,
            rendered_at=dt.datetime.now(dt.UTC),
        ),
    )


def address() -> str:
    return f"parent-{uuid.uuid4().hex[:8]}@example.lv"


async def test_each_message_is_delivered_once_in_latvian_and_a_redelivery_sends_nothing(
    h: Harness,
) -> None:
    app_id, to = uuid.uuid4(), address()
    events: list[Envelope] = [
        status(app_id, 2, ApplicationStatus.BEING_VERIFIED, to),
        status(app_id, 3, ApplicationStatus.SUBMITTED, to),
        status(app_id, 4, ApplicationStatus.GRANTED, to),
        status(app_id, 5, ApplicationStatus.READY_FOR_ISSUE, to),
        status(app_id, 6, ApplicationStatus.ISSUED, to),
    ]
    await h.send(*events)
    handover = act(app_id)
    await h.send(handover)
    got = await h.received(to, 4)
    # The act's message may overtake the status messages (another topic).
    got.sort(key=lambda m: "akts" in str(m["Subject"]))
    assert [m["Subject"] for m in got] == [
        "Pieteikums IR-7K3M-Q9TX ir iesniegts",
        "Pieteikums IR-7K3M-Q9TX ir apstiprināts",
        "Gatavs izsniegšanai: pieteikums IR-7K3M-Q9TX",
        "Pieņemšanas-nodošanas akts: pieteikums IR-7K3M-Q9TX",
    ]
    assert f"{PORTAL}/pieteikumi/{app_id}" in body(got[0])
    assert f"{PORTAL}/pieteikumi/{app_id}/dokumenti/{handover.payload.document_id}" in body(got[3])
    html = got[0].get_body(preferencelist=("html",))
    assert html is not None
    assert '<html lang="lv">' in html.get_content()

    # Kafka delivers the same events again (a consumer restart, a replay).
    await h.send(*events, handover)
    # A later event on the same partition, once told, proves the repeats were processed.
    later = status(app_id, 7, ApplicationStatus.RETURNED, to)
    await h.send(later, act(app_id, DocumentKind.RETURN_ACT))
    got = await h.received(to, 5)
    assert len(h.mailbox.to(to)) == 5
    assert got[4]["Subject"] == "Resursa atgriešana reģistrēta: pieteikums IR-7K3M-Q9TX"
    # The deletion notice waits for its day (a month before the deletion).
    notice = await h.message(f"deletion_notice:{app_id}", state="queued")
    assert from_ms(notice["next_attempt_ms"]) > dt.datetime.now(dt.UTC) + dt.timedelta(days=700)
    # Every message's delivery state is kept, for the record.
    states = {m["kind"]: m["state"] for m in await h.store.of_application(app_id)}
    assert states == {
        "submitted": "sent",
        "granted": "sent",
        "ready_for_issue": "sent",
        "handover_act_ready": "sent",
        "return_recorded": "sent",
        "deletion_notice": "queued",
    }


async def test_an_application_made_in_english_is_told_in_english(h: Harness) -> None:
    app_id, to = uuid.uuid4(), address()
    await h.send(
        status(app_id, 3, ApplicationStatus.SUBMITTED, to, language=Language.EN),
        status(
            app_id, 4, ApplicationStatus.REFUSED, to, language=Language.EN, reason="No devices left"
        ),
    )
    got = await h.received(to, 2)
    assert got[0]["Subject"] == "Application IR-7K3M-Q9TX has been submitted"
    assert got[1]["Subject"] == "Application IR-7K3M-Q9TX has been refused"
    assert "Reason: No devices left" in body(got[1])
    assert f"{PORTAL}/pieteikumi/{app_id}?lang=en" in body(got[1])


async def test_a_busy_smtp_server_is_tried_again_and_the_message_arrives_once(h: Harness) -> None:
    app_id, to = uuid.uuid4(), address()
    h.mailbox.busy[to] = 2
    await h.send(status(app_id, 3, ApplicationStatus.SUBMITTED, to))
    [got] = await h.received(to, 1)
    doc = await h.message(f"submitted:{app_id}:v3", state="sent")
    assert doc["attempts"] == 3
    assert got["Message-ID"] == f"<submitted.{app_id}.v3@edu.localhost>"
    assert len(h.mailbox.to(to)) == 1


async def test_a_message_that_keeps_failing_is_a_dead_letter(h: Harness) -> None:
    app_id, to = uuid.uuid4(), address()
    h.mailbox.refuse.add(to)
    key = f"submitted:{app_id}:v3"
    await h.send(status(app_id, 3, ApplicationStatus.SUBMITTED, to))
    doc = await h.message(key, state="failed")
    assert doc["attempts"] == 3
    assert "451" in doc["last_error"]
    await eventually(lambda: h.db.messages.find_one({"_id": key, "dead_letter": -1}))

    consumer = AIOKafkaConsumer(
        topics.DEAD_LETTER,
        bootstrap_servers=h.backends.kafka_bootstrap,
        group_id=f"dlq-reader-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:

        async def letter() -> DeadLetter | None:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if record.value and key.encode() in record.value:
                        return DeadLetter.model_validate_json(record.value)
            return None

        found = await eventually(letter, timeout=20)
    finally:
        await consumer.stop()
    assert found.consumer == "notifications.sender"
    assert found.attempts == 3
    assert to not in found.value  # the address stays in the service's own store
    assert not h.mailbox.to(to)


async def test_an_act_rendered_before_the_address_arrived_is_told_when_it_does(
    h: Harness,
) -> None:
    # The two topics are consumed independently: the act may be seen first.
    app_id, to = uuid.uuid4(), address()
    early = act(app_id)
    await h.send(early)
    await eventually(
        lambda: h.db.waiting.find_one({"_id": str(early.payload.document_id)}), timeout=20
    )
    await h.send(status(app_id, 6, ApplicationStatus.ISSUED, to))
    [got] = await h.received(to, 1)
    assert got["Subject"] == "Pieņemšanas-nodošanas akts: pieteikums IR-7K3M-Q9TX"
    assert await h.db.waiting.find_one({"_id": str(early.payload.document_id)}) is None


async def test_an_older_change_seen_late_does_not_cancel_the_deletion_notice(h: Harness) -> None:
    app_id, to = uuid.uuid4(), address()
    await h.send(status(app_id, 7, ApplicationStatus.RETURNED, to))
    await h.message(f"deletion_notice:{app_id}", state="queued")
    # An older change published again under a new event id (the inbox cannot
    # tell it is old): once its message is sent, it has been applied.
    await h.send(status(app_id, 4, ApplicationStatus.GRANTED, to))
    await h.message(f"granted:{app_id}:v4", state="sent")
    notice = await h.message(f"deletion_notice:{app_id}", state="queued")
    assert from_ms(notice["next_attempt_ms"]) > dt.datetime.now(dt.UTC) + dt.timedelta(days=700)


async def sent_events(h: Harness, app_id: uuid.UUID, until_key: str) -> list[MessageSent]:
    """Every ``notification.message-sent.v1`` about ``app_id`` on the topic, read
    until the one about ``until_key`` has been seen (one application's events
    share a partition, so those published before it have been read by then)."""
    consumer = AIOKafkaConsumer(
        topics.NOTIFICATION_EVENTS,
        bootstrap_servers=h.backends.kafka_bootstrap,
        group_id=f"sent-reader-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
    )
    found: list[MessageSent] = []
    await consumer.start()
    try:

        async def through() -> bool:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if record.value and str(app_id).encode() in record.value:
                        found.append(MessageSent.model_validate_json(record.value))
            return any(e.payload.message_key == until_key for e in found)

        await eventually(through, timeout=20)
    finally:
        await consumer.stop()
    return found


async def test_a_sent_message_is_told_once_on_the_notification_topic_without_the_address(
    h: Harness,
) -> None:
    app_id, to = uuid.uuid4(), address()
    submitted = status(app_id, 3, ApplicationStatus.SUBMITTED, to)
    await h.send(submitted)
    await h.received(to, 1)
    # The same change again (a replay under a new event id) sends and tells nothing.
    again = submitted.model_copy(update={"event_id": uuid.uuid4()})
    await h.send(again)
    # A later message, once told, proves the repeat was processed.
    await h.send(status(app_id, 4, ApplicationStatus.GRANTED, to))
    await h.received(to, 2)
    events = await sent_events(h, app_id, f"granted:{app_id}:v4")
    assert [e.payload.message_key for e in events] == [
        f"submitted:{app_id}:v3",
        f"granted:{app_id}:v4",
    ]
    first = events[0]
    assert first.event_type == "notification.message-sent.v1"
    assert first.producer == "notifications"
    assert first.payload.kind is MessageKind.SUBMITTED
    assert first.payload.subject == "Pieteikums IR-7K3M-Q9TX ir iesniegts"
    assert first.payload.language is Language.LV
    assert first.payload.channel is MessageChannel.EMAIL
    stored = await h.message(f"submitted:{app_id}:v3", state="sent")
    # The store keeps milliseconds.
    assert abs(first.payload.sent_at - from_ms(stored["sent_ms"])) < dt.timedelta(milliseconds=1)
    # No address on the topic: only what the application's page shows.
    assert to not in first.model_dump_json()
