"""What the operators' commands show: pydantic models, so ``--json`` output is
a stable, typed shape."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from edu_contracts.envelope import Contract
from edu_contracts.retention import PurgeSubjectKind
from edu_contracts.services import ServiceName
from pydantic import AwareDatetime

from edu_retention.domain.model import DeadlineState


class MonthCount(Contract):
    month: str  # YYYY-MM, Riga calendar
    applications: int
    documents: int


class HeldItem(Contract):
    kind: PurgeSubjectKind
    subject_id: str
    since: AwareDatetime
    reason: str
    state: DeadlineState | None = None  # None: the application is not closed yet
    due_at: AwareDatetime | None = None


class UnconfirmedPurge(Contract):
    kind: PurgeSubjectKind
    subject_id: str
    order_id: UUID
    attempt: int
    first_ordered_at: AwareDatetime
    next_attempt_at: AwareDatetime | None
    missing_owners: tuple[ServiceName, ...]
    held: bool


class RetentionReport(Contract):
    generated_at: AwareDatetime
    upcoming: tuple[MonthCount, ...]
    held: tuple[HeldItem, ...]
    unconfirmed: tuple[UnconfirmedPurge, ...]
    unconfirmed_total: int


class PlannedOrder(Contract):
    kind: PurgeSubjectKind
    subject_id: str
    due_at: AwareDatetime
    attempt: int
    owners: tuple[ServiceName, ...]


class SweepPreview(Contract):
    at: AwareDatetime
    total: int
    orders: tuple[PlannedOrder, ...]


class HoldOutcome(Contract):
    kind: PurgeSubjectKind
    subject_id: str
    changed: bool
    message: str
    state: DeadlineState | None = None
    due_at: dt.datetime | None = None
