"""Refusals: what a service's rules and use cases raise when they say no.

Each names the rule that said no (``reason``: stable, machine-readable, the
``reason`` of the 4xx body) and says why (``message``); ``extra`` carries what
a client needs to put it right. The kind of refusal is its class; which HTTP
status a kind deserves is decided once, in each service's HTTP adapter (its
``REFUSALS`` table, registered with ``edu_runtime.http.create_http_app``).
Plain exceptions: a domain can raise them without knowing about HTTP.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A rule said no: what was asked is not valid as asked."""

    def __init__(self, reason: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.extra = extra or None


class Conflict(Refusal):
    """The current state of things does not allow it."""


class NotPermitted(Refusal):
    """The caller may not do this."""


class NotFound(Refusal):
    """No such thing, or none the caller may see (told apart from nothing)."""
