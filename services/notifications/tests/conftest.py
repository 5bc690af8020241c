"""What the notifications tests against the real servers share: a real SMTP
server (aiosmtpd, in the test) and its mailbox, and the service running on the
session's embedded Kafka and MongoDB (``running``, behind each file's ``h``)."""

from __future__ import annotations

import email
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from edu_contracts.applications import ApplicationStatus, StatusChanged
from edu_contracts.envelope import Envelope
from edu_notifications.app import create_app
from edu_notifications.settings import NotificationsSettings
from edu_tools import testing
from edu_tools.backends import Backends, free_port
from edu_tools.testing import RunningService, eventually, publish, serving
from litestar import Litestar
from pymongo import AsyncMongoClient

PORTAL = "https://portal.example.lv"
BUSY = "451 4.3.0 Mailbox busy, try again later"


@dataclass
class Mailbox:
    """What the SMTP server received, and which addresses it turns away:
    ``busy`` answers 451 (try later) that many times, ``refuse`` always 451."""

    messages: list[EmailMessage] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        to = envelope.rcpt_tos[0]
        with self.lock:
            if to in self.refuse:
                return BUSY
            if self.busy.get(to, 0) > 0:
                self.busy[to] -= 1
                return BUSY
            content = envelope.content
            assert isinstance(content, bytes)
            parsed = email.message_from_bytes(content, policy=default_policy)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def status_changed(
    app_id: uuid.UUID,
    version: int,
    to: ApplicationStatus,
    email_address: str | None = None,
    **fields: Any,
) -> StatusChanged:
    """A status change to be told to ``email_address`` (by default the
    application's own parent-…@example.lv); ``fields``: other payload fields."""
    return testing.status_changed(
        app_id,
        version,
        to,
        **{
            "application_reference": "IR-7K3M-Q9TX",
            "contact_email": email_address or f"parent-{app_id.hex[:8]}@example.lv",
            **fields,
        },
    )


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


@dataclass
class Running:
    """The service, delivering to ``mailbox``; events in through ``producer``."""

    settings: NotificationsSettings
    app: Litestar
    service: RunningService
    producer: AIOKafkaProducer
    mailbox: Mailbox
    db: Any
    backends: Backends
    clock: Any = None  # the service's clock, when the test gave it one

    async def send(self, *events: Envelope) -> None:
        await publish(self.producer, *events)

    async def received(self, address: str, count: int) -> list[EmailMessage]:
        async def probe() -> list[EmailMessage] | None:
            found = self.mailbox.to(address)
            return found if len(found) >= count else None

        return await eventually(probe, timeout=20)

    async def message(self, key: str, **match: Any) -> dict[str, Any]:
        """The stored message ``key``, once it matches ``match``."""

        async def probe() -> dict[str, Any] | None:
            doc: dict[str, Any] | None = await self.db.messages.find_one({"_id": key, **match})
            return doc

        return await eventually(probe, timeout=20)


@asynccontextmanager
async def running(
    make_settings: Callable[..., Any],
    backends: Backends,
    *,
    clock: Callable[[], Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[Running]:
    """The service on the session's servers, sending to a new SMTP server's
    mailbox (settings: ``overrides``; ``clock``: the service's clock)."""
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    settings: NotificationsSettings = make_settings(
        NotificationsSettings,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        portal_address=PORTAL,
        sender_poll_seconds=0.1,
        **overrides,
    )
    app = create_app(settings) if clock is None else create_app(settings, clock=clock)
    producer = AIOKafkaProducer(bootstrap_servers=backends.kafka_bootstrap)
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(backends.mongo_url, tz_aware=True)
    try:
        async with serving(app, settings.http_port) as service:
            await producer.start()
            try:
                db = mongo[settings.mongo_db]
                yield Running(settings, app, service, producer, mailbox, db, backends, clock)
            finally:
                await producer.stop()
    finally:
        await mongo.close()
        controller.stop()
