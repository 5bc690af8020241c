"""Names of the services, used as event producers and purge owners."""

from __future__ import annotations

from enum import StrEnum


class ServiceName(StrEnum):
    REGISTRY_READER = "registry-reader"
    APPLICATIONS = "applications"
    DOCUMENTS = "documents"
    RETENTION = "retention"
    NOTIFICATIONS = "notifications"
