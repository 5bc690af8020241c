"""A real SMTP server (aiosmtpd) in the test process and the notifications
service delivering to it, on the session's embedded Kafka and MongoDB: for the
tests of what people are told, and for the metrics flow (its series)."""

from __future__ import annotations

import email
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from edu_notifications.app import create_app
from edu_notifications.settings import NotificationsSettings
from edu_tools.backends import free_port
from edu_tools.testing import RunningService, serving

PORTAL = "https://izglitiba.example.lv"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # SMTP answers given, in turn, to the first deliveries instead of accepting
    # them (a "451" is retried by the service, a "550" fails the message).
    refusals: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def about(self, app_id: str) -> list[EmailMessage]:
        """The messages whose text links to the application's pages."""
        with self.lock:
            return [m for m in self.messages if f"/pieteikumi/{app_id}" in text_of(m)]


def text_of(m: EmailMessage) -> str:
    part = m.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


@asynccontextmanager
async def notifications_delivering(
    make_settings: Callable[..., Any], *, refusals: list[str] | None = None
) -> AsyncIterator[tuple[Mailbox, RunningService]]:
    """The notifications service delivering to a new SMTP server's mailbox."""
    box = Mailbox(refusals=list(refusals or []))
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings: NotificationsSettings = make_settings(
        NotificationsSettings,
        smtp_port=port,
        portal_address=PORTAL,
        sender_poll_seconds=0.2,
    )
    try:
        async with serving(create_app(settings), settings.http_port) as service:
            yield box, service
    finally:
        controller.stop()
