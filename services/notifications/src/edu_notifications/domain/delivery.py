"""A message's delivery state and what a try's outcome does to it (pure).

    queued ──sent──▶ sent
      │  └─temporary failure─▶ retrying ──(next try)──▶ sent | retrying | failed
      └─permanent failure, or the last try failed─▶ failed (a dead letter)

A scheduled message (the deletion notice) is queued with a ``next_attempt_at``
in the future; a change that makes it pointless cancels it before it is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class DeliveryState(StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


PENDING: frozenset[DeliveryState] = frozenset({DeliveryState.QUEUED, DeliveryState.RETRYING})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    initial: dt.timedelta
    maximum: dt.timedelta

    def delay(self, attempt: int) -> dt.timedelta:
        """Wait after failed try ``attempt`` (1-based): doubling, capped."""
        if attempt < 1:
            raise ValueError("attempt starts at 1")
        factor: int = 2 ** min(attempt - 1, 30)  # bounded: no huge numbers after long outages
        delay: dt.timedelta = self.initial * factor
        return min(delay, self.maximum)


@dataclass(frozen=True)
class Outcome:
    state: DeliveryState
    next_attempt_at: dt.datetime | None


def after_failure(
    attempts: int, policy: RetryPolicy, now: dt.datetime, *, permanent: bool
) -> Outcome:
    """The state after failed try number ``attempts``: another try later, or
    failed for good when the server refused for good or tries are used up."""
    if permanent or attempts >= policy.max_attempts:
        return Outcome(DeliveryState.FAILED, None)
    return Outcome(DeliveryState.RETRYING, now + policy.delay(attempts))
