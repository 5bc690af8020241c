"""The deadline aggregate: one per purge subject (an application with its
documents, or one stand-alone document), with pure state transitions.

    scheduled ──sweep──▶ ordered ──all owners confirmed──▶ purged
        │                  ▲   │
        │ reopened         └───┘ not all confirmed by next_attempt_at: ordered again
        ▼
    cancelled ──closed again──▶ scheduled

A hold is orthogonal to the state: a held deadline is never (re)ordered.
Once ordered, a purge is not called back: owners may already have deleted,
so a later reopen or correction cannot restore anything and is only noted.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from uuid import UUID

from edu_contracts.envelope import Contract
from edu_contracts.retention import PurgeSubject, PurgeSubjectKind
from edu_contracts.services import ServiceName
from pydantic import AwareDatetime

from edu_retention.domain.rules import retry_delay


class DeadlineState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    ORDERED = "ordered"
    PURGED = "purged"


APPLICATION_OWNERS: tuple[ServiceName, ...] = (ServiceName.APPLICATIONS, ServiceName.DOCUMENTS)
DOCUMENT_OWNERS: tuple[ServiceName, ...] = (ServiceName.DOCUMENTS,)


def owners_of(kind: PurgeSubjectKind) -> tuple[ServiceName, ...]:
    return APPLICATION_OWNERS if kind is PurgeSubjectKind.APPLICATION else DOCUMENT_OWNERS


def subject_key(kind: PurgeSubjectKind, subject_id: str) -> str:
    return f"{kind.value}:{subject_id}"


class RetryPolicy(Contract):
    initial: dt.timedelta
    maximum: dt.timedelta


class Deadline(Contract):
    kind: PurgeSubjectKind
    subject_id: str
    state: DeadlineState
    due_at: AwareDatetime
    closed_on: dt.date | None = None  # applications only; printouts have rendered_at instead
    closing_status: str | None = None
    source_version: int = 0  # version of the application event that set the deadline
    held: bool = False
    order_id: UUID | None = None
    attempt: int = 0
    first_ordered_at: AwareDatetime | None = None
    next_attempt_at: AwareDatetime | None = None
    confirmed: tuple[ServiceName, ...] = ()
    purged_at: AwareDatetime | None = None
    version: int = 0  # storage version for optimistic concurrency

    @property
    def key(self) -> str:
        return subject_key(self.kind, self.subject_id)

    @property
    def subject(self) -> PurgeSubject:
        return PurgeSubject(kind=self.kind, id=self.subject_id)

    @property
    def owners(self) -> tuple[ServiceName, ...]:
        return owners_of(self.kind)

    @property
    def missing_owners(self) -> tuple[ServiceName, ...]:
        return tuple(o for o in self.owners if o not in self.confirmed)

    @property
    def sweep_at(self) -> dt.datetime | None:
        """When the sweeper must next look at this deadline; None = never (until
        something changes). The sweeper's index is on this one field, so a sweep
        reads only what is due, however many deadlines are stored."""
        if self.held:
            return None
        if self.state is DeadlineState.SCHEDULED:
            return self.due_at
        if self.state is DeadlineState.ORDERED:
            return self.next_attempt_at
        return None

    @property
    def is_settled(self) -> bool:
        """Past the point of no return: a purge was ordered."""
        return self.state in (DeadlineState.ORDERED, DeadlineState.PURGED)

    def _next(self, **changes: object) -> Deadline:
        return self.model_copy(update={**changes, "version": self.version + 1})

    # --- transitions -----------------------------------------------------
    def reschedule(
        self, *, due_at: dt.datetime, closed_on: dt.date | None, status: str | None, source: int
    ) -> Deadline:
        """A (corrected) closing: move the deadline. No-op once ordered."""
        if self.is_settled:
            return self
        return self._next(
            state=DeadlineState.SCHEDULED,
            due_at=due_at,
            closed_on=closed_on,
            closing_status=status,
            source_version=source,
        )

    def cancel(self, *, source: int) -> Deadline:
        """The application was reopened: nothing to delete for now."""
        if self.is_settled or self.state is DeadlineState.CANCELLED:
            return self
        return self._next(state=DeadlineState.CANCELLED, source_version=source)

    def order(self, *, now: dt.datetime, order_id: UUID, policy: RetryPolicy) -> Deadline:
        """Issue (or re-issue) the purge order. The order id stays the same over
        retries so that a late confirmation of attempt 1 still counts."""
        attempt = self.attempt + 1
        return self._next(
            state=DeadlineState.ORDERED,
            order_id=self.order_id or order_id,
            attempt=attempt,
            first_ordered_at=self.first_ordered_at or now,
            next_attempt_at=now + retry_delay(attempt, policy.initial, policy.maximum),
        )

    def confirm(self, owner: ServiceName, *, now: dt.datetime) -> Deadline:
        if self.state is not DeadlineState.ORDERED or owner in self.confirmed:
            return self
        if owner not in self.owners:
            return self
        confirmed = (*self.confirmed, owner)
        if all(o in confirmed for o in self.owners):
            return self._next(
                confirmed=confirmed, state=DeadlineState.PURGED, purged_at=now, next_attempt_at=None
            )
        return self._next(confirmed=confirmed)

    def with_hold(self, held: bool) -> Deadline:
        if self.held is held:
            return self
        return self._next(held=held)


def new_application_deadline(
    application_id: str,
    *,
    due_at: dt.datetime,
    closed_on: dt.date,
    status: str,
    source: int,
    held: bool,
) -> Deadline:
    return _scheduled(
        PurgeSubjectKind.APPLICATION,
        application_id,
        due_at=due_at,
        held=held,
        closed_on=closed_on,
        closing_status=status,
        source_version=source,
    )


def new_document_deadline(document_id: str, *, due_at: dt.datetime, held: bool) -> Deadline:
    return _scheduled(PurgeSubjectKind.DOCUMENT, document_id, due_at=due_at, held=held)


def _scheduled(
    kind: PurgeSubjectKind, subject_id: str, *, due_at: dt.datetime, held: bool, **details: Any
) -> Deadline:
    """A deadline newly scheduled (the first version of its document)."""
    return Deadline(
        kind=kind,
        subject_id=subject_id,
        state=DeadlineState.SCHEDULED,
        due_at=due_at,
        held=held,
        version=1,
        **details,
    )
