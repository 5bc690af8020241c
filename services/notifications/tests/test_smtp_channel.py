"""The SMTP channel against a real SMTP server (aiosmtpd) that offers no login,
configured the way a Kubernetes Secret with empty ``username`` and
``password`` keys configures it (deploy/k8s/overlays/local-prod: the mail
sink): empty means "no login", not a login with empty credentials."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from edu_notifications.adapters.channels import SmtpChannel
from edu_notifications.settings import NotificationsSettings
from edu_tools.backends import free_port


class Kept:
    def __init__(self) -> None:
        self.rcpt: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.rcpt.extend(envelope.rcpt_tos)
        return "250 OK"


async def test_empty_username_and_password_send_without_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = Kept()
    port = free_port()
    controller = Controller(kept, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("EDU_NOTIFICATIONS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EDU_NOTIFICATIONS_SMTP_PORT", str(port))
        monkeypatch.setenv("EDU_NOTIFICATIONS_SMTP_USERNAME", "")
        monkeypatch.setenv("EDU_NOTIFICATIONS_SMTP_PASSWORD", "")
        monkeypatch.setenv("EDU_NOTIFICATIONS_SMTP_STARTTLS", "false")
        channel = SmtpChannel(NotificationsSettings())
        try:
            await channel.send(
                "k1", "liga@example.lv", "Pieteikums ir iesniegts", "Labdien!", "<p>Labdien!</p>"
            )
        finally:
            await channel.close()
    finally:
        controller.stop()
    assert kept.rcpt == ["liga@example.lv"]
