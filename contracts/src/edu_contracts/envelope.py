"""The envelope every Kafka message travels in.

Each concrete event is a subclass that pins ``event_type`` (which includes the
schema version, e.g. ``application.submitted.v1``) and ``schema_version`` with
``Literal`` types, so a topic's messages form a discriminated union and a
consumer rejects what it does not understand instead of guessing. W3C trace
context travels in Kafka headers, not in the envelope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Contract(BaseModel):
    """Base of every contract model: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Envelope(Contract):
    """Fields shared by every event and command."""

    TOPIC: ClassVar[str]

    event_id: UUID = Field(
        default_factory=uuid4, description="Unique per event; consumers dedupe on it."
    )
    event_type: str = Field(
        description="Type including the schema version, e.g. application.submitted.v1"
    )
    schema_version: int
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    producer: str = Field(description="Name of the service that produced the event.")
    correlation_id: str = Field(
        min_length=1, max_length=128, description="Ties together everything one request caused."
    )
    causation_id: UUID | None = Field(
        default=None, description="event_id of the message that caused this one, if any."
    )
    payload: Any

    def partition_key(self) -> str:
        """Key that keeps one aggregate's messages in order on one partition."""
        raise NotImplementedError
