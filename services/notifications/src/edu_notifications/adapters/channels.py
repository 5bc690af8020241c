"""Channels a message can go out on. The rules and the sender know only the
``Channel`` interface: the official e-address (latvija.lv) can be added as
another channel without touching them.

``SmtpChannel`` speaks SMTP with aiosmtplib: one connection per sender batch,
reopened after an error. A 5xx answer about the message or its recipient is
permanent (trying again will not help); anything else (connection refused,
timeouts, 4xx) is temporary and retried with backoff.
"""

from __future__ import annotations

import contextlib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

import aiosmtplib

from edu_notifications.settings import NotificationsSettings


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Channel(Protocol):
    async def send(self, key: str, to: str, subject: str, text: str, html: str) -> None:
        """Deliver one message or raise DeliveryError."""

    async def close(self) -> None:
        """Let go of any connection held between messages."""


def message_id(key: str, domain: str) -> str:
    """The message's key as a Message-ID: the same on every try (email.utils'
    make_msgid would add a new random part each time)."""
    return f"<{key.replace(':', '.')}@{domain}>"


def build_email(
    sender: str, key: str, to: str, subject: str, text: str, html: str, domain: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    # The same Message-ID on every try of one message: a receiver that saw it
    # already (a crash after the server took it, before "sent" was recorded)
    # can drop the repeat.
    msg["Message-ID"] = message_id(key, domain)
    msg["X-Edu-Message-Key"] = key
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


class SmtpChannel:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None
        self._domain = settings.mail_from.rpartition("@")[2].rstrip(">").strip() or "localhost"

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            # Empty means "no login" (compose passes unset variables as "").
            username=s.smtp_username or None,
            password=(s.smtp_password.get_secret_value() or None) if s.smtp_password else None,
            use_tls=s.smtp_use_tls,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )
        await smtp.connect()
        self._smtp = smtp
        return smtp

    async def send(self, key: str, to: str, subject: str, text: str, html: str) -> None:
        msg = build_email(self._settings.mail_from, key, to, subject, text, html, self._domain)
        try:
            smtp = await self._connection()
            await smtp.send_message(msg)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self.close()
            permanent = all(500 <= r.code < 600 for r in exc.recipients)
            raise DeliveryError(_reason(exc), permanent=permanent) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            permanent = 500 <= exc.code < 600 and not isinstance(
                exc, aiosmtplib.SMTPAuthenticationError | aiosmtplib.SMTPConnectResponseError
            )
            raise DeliveryError(_reason(exc), permanent=permanent) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            raise DeliveryError(_reason(exc), permanent=False) from exc

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await smtp.quit()
            if smtp.is_connected:
                smtp.close()


def _reason(exc: BaseException) -> str:
    # The server's words may name the address; the type and code are enough.
    code = getattr(exc, "code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"
