"""Purge orders from retention and the owners' confirmations."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from edu_contracts import topics
from edu_contracts.envelope import Contract, Envelope
from edu_contracts.services import ServiceName


class PurgeSubjectKind(StrEnum):
    APPLICATION = "application"  # the application and every document linked to it
    DOCUMENT = "document"  # one stand-alone document (my-data printouts)


class PurgeSubject(Contract):
    kind: PurgeSubjectKind
    id: str


class PurgeOrderedPayload(Contract):
    order_id: UUID
    subject: PurgeSubject
    owners: tuple[ServiceName, ...]
    ordered_at: AwareDatetime
    attempt: int = Field(ge=1)


class PurgeOrdered(Envelope):
    TOPIC: ClassVar[str] = topics.RETENTION_ORDERS
    event_type: Literal["retention.purge-ordered.v1"] = "retention.purge-ordered.v1"
    schema_version: Literal[1] = 1
    payload: PurgeOrderedPayload

    def partition_key(self) -> str:
        return self.payload.subject.id


class PurgeConfirmedPayload(Contract):
    order_id: UUID
    owner: ServiceName
    subject: PurgeSubject
    deleted: dict[str, int] = Field(description="Records deleted per collection (counts only).")
    confirmed_at: AwareDatetime


class PurgeConfirmed(Envelope):
    TOPIC: ClassVar[str] = topics.RETENTION_CONFIRMATIONS
    event_type: Literal["retention.purge-confirmed.v1"] = "retention.purge-confirmed.v1"
    schema_version: Literal[1] = 1
    payload: PurgeConfirmedPayload

    def partition_key(self) -> str:
        return self.payload.subject.id


RetentionOrder = Annotated[PurgeOrdered, Field(discriminator="event_type")]
RetentionConfirmation = Annotated[PurgeConfirmed, Field(discriminator="event_type")]
