"""What the notifications service tells others about the messages it sent,
on ``edu.notifications.events.v1``: applications keeps a read model of them,
so the applicant (and the institution's staff) see on the application's page
what was sent about it and when.

One event per message, published once, when its delivery is recorded (in the
same transaction, through notifications' outbox). Keyed by the application, so
one application's messages stay in order. No personal data beyond what the
page shows: no address, no personal code; the subject holds the application
number only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from edu_contracts import topics
from edu_contracts.documents import Language
from edu_contracts.envelope import Contract, Envelope


class MessageKind(StrEnum):
    """What a message is about (one text per kind in notifications)."""

    SUBMITTED = "submitted"
    VERIFICATION_REJECTED = "verification_rejected"
    GRANTED = "granted"
    REFUSED = "refused"
    POSTPONED = "postponed"
    READY_FOR_ISSUE = "ready_for_issue"
    HANDOVER_ACT_READY = "handover_act_ready"
    RETURN_RECORDED = "return_recorded"
    LOSS_REPORTED = "loss_reported"
    DELETION_NOTICE = "deletion_notice"
    # To the institution's contact address, about no one application: it is
    # never the subject of a message-sent event.
    DAILY_DIGEST = "daily_digest"


class MessageChannel(StrEnum):
    """How a message went out (the official e-address may join e-mail)."""

    EMAIL = "email"


class MessageSentPayload(Contract):
    message_key: str = Field(
        min_length=1,
        max_length=200,
        description="The message's key in notifications (unique per message; what "
        "consumers dedupe on), e.g. submitted:<application id>:v3.",
    )
    application_id: UUID
    kind: MessageKind
    language: Language
    subject: str = Field(min_length=1, max_length=300, description="The subject as sent.")
    channel: MessageChannel = MessageChannel.EMAIL
    sent_at: AwareDatetime


class MessageSent(Envelope):
    """A message about an application was delivered (the server accepted it)."""

    TOPIC: ClassVar[str] = topics.NOTIFICATION_EVENTS
    event_type: Literal["notification.message-sent.v1"] = "notification.message-sent.v1"
    schema_version: Literal[1] = 1
    payload: MessageSentPayload

    def partition_key(self) -> str:
        return str(self.payload.application_id)


NotificationEvent = Annotated[MessageSent, Field(discriminator="event_type")]
