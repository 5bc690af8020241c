"""Settings of the notifications service (environment prefix ``EDU_NOTIFICATIONS_``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic import Field, SecretStr

from edu_notifications.domain.delivery import RetryPolicy


class NotificationsSettings(ServiceSettings):
    SERVICE: ClassVar[ServiceName] = ServiceName.NOTIFICATIONS

    http_port: int = 8106
    mongo_db: str = "edu_notifications"

    portal_address: str = Field(
        default="http://127.0.0.1:8080",
        description="The portal's public address (scheme and host); every message links to "
        "a page under it.",
    )
    mail_from: str = Field(
        default="Izglītības e-pakalpojumi <noreply@edu.localhost>",
        description="The From: of every message.",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(
        default=False, description="Upgrade to TLS with STARTTLS (the relay in deploy/ does)."
    )
    smtp_use_tls: bool = Field(default=False, description="Implicit TLS (port 465 style).")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    sender_enabled: bool = Field(
        default=True, description="Run the sender loop in this process (one replica does)."
    )
    sender_poll_seconds: float = Field(default=1.0, gt=0)
    sender_batch_size: int = Field(default=100, ge=1, le=10_000)
    sender_max_attempts: int = Field(
        default=6, ge=1, le=50, description="SMTP tries before a message is a dead letter."
    )
    sender_retry_initial_seconds: float = Field(default=30.0, gt=0)
    sender_retry_max_seconds: float = Field(default=3600.0, gt=0)
    sender_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="How long a claimed message is left alone before another try may take it "
        "(a sender killed mid-send).",
    )

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.sender_max_attempts,
            initial=dt.timedelta(seconds=self.sender_retry_initial_seconds),
            maximum=dt.timedelta(seconds=self.sender_retry_max_seconds),
        )
