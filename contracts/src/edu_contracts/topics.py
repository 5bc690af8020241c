"""Every Kafka topic name, in one place. Versioned: an incompatible change of a
topic's meaning gets a new topic, not a silent change."""

from __future__ import annotations

from typing import Final

APPLICATION_EVENTS: Final = "edu.applications.events.v1"
REGISTRY_VERDICTS: Final = "edu.registry.verdicts.v1"
DOCUMENT_COMMANDS: Final = "edu.documents.commands.v1"
DOCUMENT_EVENTS: Final = "edu.documents.events.v1"
RETENTION_ORDERS: Final = "edu.retention.orders.v1"
RETENTION_CONFIRMATIONS: Final = "edu.retention.confirmations.v1"
LENDING_SETTINGS: Final = "edu.lending.settings.v1"
NOTIFICATION_EVENTS: Final = "edu.notifications.events.v1"
ITEM_EVENTS: Final = "edu.lending.items.v1"
DEAD_LETTER: Final = "edu.dead-letter.v1"

ALL_TOPICS: Final = (
    APPLICATION_EVENTS,
    REGISTRY_VERDICTS,
    DOCUMENT_COMMANDS,
    DOCUMENT_EVENTS,
    RETENTION_ORDERS,
    RETENTION_CONFIRMATIONS,
    LENDING_SETTINGS,
    NOTIFICATION_EVENTS,
    ITEM_EVENTS,
    DEAD_LETTER,
)
