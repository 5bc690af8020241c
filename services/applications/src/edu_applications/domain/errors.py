"""Refusals the domain and the use cases can give. Each names the rule that
said no (``reason``, stable and machine-readable) and says why (``message``);
the kind of refusal is its class. Which HTTP status a kind deserves is the HTTP
adapter's business (``adapters/http.py``, ``REFUSALS``)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no: what was asked is not valid as asked."""

    def __init__(self, reason: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.extra = extra or None


class Conflict(DomainError):
    """The current state of things (the application, another application, the
    terms in force) does not allow it."""


class IllegalTransition(Conflict):
    """The state machine has no such step from the current status."""


class NotPermitted(DomainError):
    """The caller may not do this (not their role, not someone they represent,
    terms not accepted)."""


class NotFound(DomainError):
    """No such thing, or none the caller may see (told apart from nothing)."""
