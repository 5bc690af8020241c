"""What a consumer publishes on ``edu.dead-letter.v1`` when it gives up."""

from __future__ import annotations

from pydantic import AwareDatetime

from edu_contracts.envelope import Contract


class DeadLetter(Contract):
    """Not an Envelope: it wraps a message that may not even be valid JSON."""

    original_topic: str
    partition: int | None
    offset: int | None
    key: str | None
    value: str  # the original bytes, decoded as UTF-8 with replacement
    headers: dict[str, str]
    consumer: str
    error_type: str
    reason: str
    attempts: int
    failed_at: AwareDatetime
