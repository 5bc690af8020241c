"""What notifications tells other services when a message has gone out: the
``notification.message-sent.v1`` event, built from the message as stored.
Pure: no I/O.

The event carries what the application's page shows (kind, subject, language,
channel, when), never the address or a text body."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_contracts.documents import Language
from edu_contracts.notifications import (
    MessageChannel,
    MessageKind,
    MessageSent,
    MessageSentPayload,
)
from edu_contracts.services import ServiceName

PRODUCER = ServiceName.NOTIFICATIONS


def message_sent(message: dict[str, Any], sent_at: dt.datetime) -> MessageSent | None:
    """The event for a message (its stored fields) delivered at ``sent_at``;
    None for a message about no application or of a kind the contract does
    not know (nothing to show on an application's page)."""
    application_id = message.get("application_id")
    if not application_id or message.get("kind") not in set(MessageKind):
        return None
    key = str(message["_id"])
    return MessageSent(
        producer=PRODUCER,
        # The message's key ties the event to the message (and its logs).
        correlation_id=key[:128],
        payload=MessageSentPayload(
            message_key=key,
            application_id=application_id,
            kind=MessageKind(message["kind"]),
            language=Language(message["language"]),
            subject=message["subject"][:300],
            channel=MessageChannel.EMAIL,
            sent_at=sent_at,
        ),
    )
