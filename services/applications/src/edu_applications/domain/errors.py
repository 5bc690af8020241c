"""Refusals the domain and the use cases can give (``edu_contracts.refusals``):
each names the rule that said no (``reason``) and says why (``message``); the
kind of refusal is its class. Which HTTP status a kind deserves is the HTTP
adapter's business (``adapters/http.py``, ``REFUSALS``)."""

from __future__ import annotations

from edu_contracts.refusals import Conflict, NotFound, NotPermitted, Refusal

DomainError = Refusal  # a rule said no: what was asked is not valid as asked

__all__ = ["Conflict", "DomainError", "IllegalTransition", "NotFound", "NotPermitted"]


class IllegalTransition(Conflict):
    """The state machine has no such step from the current status."""
