"""Refusals the workflow can give. The HTTP adapter maps them to 4xx bodies."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. ``status`` is the HTTP status the refusal deserves."""

    status = 422

    def __init__(self, reason: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.extra = extra or None


class IllegalTransition(DomainError):
    status = 409


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403
