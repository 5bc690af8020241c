"""The list of every event and command, and the payload union of every topic.

Used to export JSON Schemas (contracts/schemas/) and the AsyncAPI document, and
by the compatibility test.
"""

from __future__ import annotations

from typing import Any

from edu_contracts import topics
from edu_contracts.applications import (
    ApplicationEvent,
    IncidentReported,
    StatusChanged,
    VerificationRequested,
)
from edu_contracts.dead_letter import DeadLetter
from edu_contracts.documents import (
    DocumentCommand,
    DocumentEvent,
    Rendered,
    RenderFailed,
    RenderRequested,
)
from edu_contracts.envelope import Envelope
from edu_contracts.items import ItemChanged, ItemEvent
from edu_contracts.lending import LendingEvent, LendingSettingsChanged
from edu_contracts.notifications import MessageSent, NotificationEvent
from edu_contracts.registry import EligibilityVerdict, RegistryEvent
from edu_contracts.retention import (
    PurgeConfirmed,
    PurgeOrdered,
    RetentionConfirmation,
    RetentionOrder,
)

EVENTS: tuple[type[Envelope], ...] = (
    VerificationRequested,
    StatusChanged,
    IncidentReported,
    EligibilityVerdict,
    RenderRequested,
    Rendered,
    RenderFailed,
    PurgeOrdered,
    PurgeConfirmed,
    LendingSettingsChanged,
    MessageSent,
    ItemChanged,
)

TOPIC_PAYLOADS: dict[str, Any] = {
    topics.APPLICATION_EVENTS: ApplicationEvent,
    topics.REGISTRY_VERDICTS: RegistryEvent,
    topics.DOCUMENT_COMMANDS: DocumentCommand,
    topics.DOCUMENT_EVENTS: DocumentEvent,
    topics.RETENTION_ORDERS: RetentionOrder,
    topics.RETENTION_CONFIRMATIONS: RetentionConfirmation,
    topics.LENDING_SETTINGS: LendingEvent,
    topics.NOTIFICATION_EVENTS: NotificationEvent,
    topics.ITEM_EVENTS: ItemEvent,
    topics.DEAD_LETTER: DeadLetter,
}


def event_type_of(model: type[Envelope]) -> str:
    default = model.model_fields["event_type"].default
    assert isinstance(default, str)
    return default
