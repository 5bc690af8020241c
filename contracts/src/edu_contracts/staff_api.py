"""The applications service's staff API (``/api/v1/staff/...``) as its callers
and the service itself see it: the inbox and its one filter, the bulk grant,
the issued items, one application's staff actions and the lending settings.

Only shapes: the service builds the answers from its domain, the portal's
staff pages read them through ``edu_runtime.clients.staff``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from edu_contracts.applications import ApplicationStatus, ReturnCondition
from edu_contracts.http import JsonBool, JsonDate, JsonInt, Page, RequestBody
from edu_contracts.lending import (
    OFFER_ID_PATTERN,
    LendingOffer,
    LendingResourceType,
    LendingUse,
)
from edu_contracts.registry_api import ResourceTargetGroup

# --- values ------------------------------------------------------------------------------


class InboxSort(StrEnum):
    NEWEST = "newest"  # submitted, newest first
    OLDEST = "oldest"
    NAME = "name"  # learner's name, A to Z (case and diacritics ignored)
    UPDATED = "updated"  # last change, newest first
    STATUS = "status"


class IssuedItemState(StrEnum):
    """Filters of the issued-items list."""

    READY = "ready"  # prepared, not yet handed over
    ISSUED = "issued"  # with the learner
    INCIDENT = "incident"  # with an open loss/theft report
    RETURNED = "returned"


class DecisionKind(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"
    POSTPONE = "postpone"


class IssuedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    model: str
    inventory_number: str
    serial_number: str
    item_id: UUID | None = None  # the register's item; None: typed in before the register


class FieldChange(BaseModel):
    """One changed value: ``field`` names it (``offers.<offer id>.description``),
    ``before``/``after`` are its values as text (None when it did not exist)."""

    model_config = ConfigDict(frozen=True)

    field: str
    before: str | None
    after: str | None


# --- the inbox's filter --------------------------------------------------------------------

OPEN_INCIDENT = "open"
QUERY_MAX = 100
CLASS_GROUP_MAX = 40
RESOURCE_TYPE_MAX = 40
VISIBLE_STATUSES = [s.value for s in ApplicationStatus if s is not ApplicationStatus.DRAFT]


class InboxQuery(BaseModel):
    """The inbox's filters and order, for its list and its exports alike (the
    query string of ``/api/v1/staff/inbox/``, ``export.csv``, ``export.xlsx``).
    Every filter combines with the others; None is no filter."""

    model_config = ConfigDict(frozen=True)

    status: ApplicationStatus | None = None
    class_group: str | None = None
    resource_type: str | None = None
    socially_supported: bool | None = None
    incident: str | None = None  # only OPEN_INCIDENT
    q: str | None = None  # learner's name, case and diacritics ignored
    sort: InboxSort = InboxSort.NEWEST

    def params(self) -> dict[str, str]:
        """The query string's parameters (the filters given, and the order)."""
        values = self.model_dump(mode="json", exclude_none=True)
        return {
            name: ("true" if value else "false") if isinstance(value, bool) else str(value)
            for name, value in values.items()
            if value != ""
        }


# --- inbox and issued items ---------------------------------------------------------------


class InboxRow(BaseModel):
    id: UUID
    reference: str | None = None  # the human reference; none on old applications
    version: int
    status: ApplicationStatus
    status_label: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    learner_name: str | None
    class_group: str | None
    resource_type: str | None
    resource_type_label: str
    resource_description: str | None
    socially_supported: bool
    open_incident: bool
    postponed_until: dt.date | None


class InboxPage(BaseModel):
    counts: dict[str, int] = Field(
        description="Applications per status under every filter but the status filter."
    )
    items: list[InboxRow]
    total: int
    limit: int
    offset: int
    sort: InboxSort


class ItemRow(BaseModel):
    application_id: UUID
    application_reference: str | None = None
    version: int
    status: ApplicationStatus
    status_label: str
    learner_name: str | None
    class_group: str | None
    resource_description: str | None
    item: IssuedItem | None
    issued_at: dt.datetime | None
    open_incident: bool
    returned_on: dt.date | None
    condition: ReturnCondition | None


class ItemsPage(BaseModel):
    items: list[ItemRow]
    total: int
    limit: int
    offset: int


class BulkTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID
    version: JsonInt = Field(ge=1)


class BulkGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applications: list[BulkTarget] = Field(min_length=1, max_length=100)


class BulkOutcome(BaseModel):
    id: UUID
    granted: bool
    reason: str | None = Field(
        default=None,
        description="Why not: stale_version, illegal_transition, application_not_found, "
        "out_of_stock (no free item of its type and target group is left: not changed)…",
    )
    version: int | None = None
    status: ApplicationStatus | None = None


class BulkGrantResult(BaseModel):
    granted: int
    refused: int = Field(description="Not granted, for any reason (out_of_stock included).")
    out_of_stock: int = Field(
        description="Of the refused, how many were not granted because no free item of their "
        "type and target group was left (the register's stock line's free).",
    )
    outcomes: list[BulkOutcome]


# --- one application ------------------------------------------------------------------------


class StaffApplication(BaseModel):
    """One application as staff read it (``GET /api/v1/staff/applications/{id}``,
    and the answer of every action). The fields a caller decides on are typed;
    the rest (learner, resource, decision, item, incidents, history, messages…)
    are kept as the service sent them, for the page to show."""

    model_config = ConfigDict(extra="allow")

    id: UUID
    reference: str | None = None
    version: int
    status: ApplicationStatus
    status_label: str


class _Change(RequestBody):
    version: JsonInt = Field(ge=1, description="The application version this change is based on.")


class DecisionRequest(_Change):
    decision: DecisionKind
    reason: str | None = Field(default=None, max_length=2000)
    postponed_until: JsonDate | None = None


class ReturnRequest(_Change):
    condition: ReturnCondition
    note: str | None = Field(default=None, max_length=2000)
    returned_on: JsonDate | None = None


class IncidentClosing(_Change):
    note: str = Field(min_length=1, max_length=2000)


# --- lending settings ---------------------------------------------------------------------

MAX_OFFERS = 100


class OfferInput(RequestBody):
    offer_id: str | None = Field(
        default=None, pattern=OFFER_ID_PATTERN, description="Omit for a new resource."
    )
    resource_type: LendingResourceType
    description: str = Field(min_length=1, max_length=200)
    target_group: ResourceTargetGroup
    use: LendingUse
    for_groups: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=50
    )
    items_available: JsonInt | None = Field(default=None, ge=0, le=100_000)


class LendingSettingsChange(RequestBody):
    """The settings as staff save them. Also (rules JSON Schema cannot state,
    refused with 422): ``accepting_to`` is not before ``accepting_from``
    (``bad_period``), and no two resources have one ``offer_id``
    (``duplicate_offer``)."""

    version: JsonInt = Field(
        ge=0, description="The version this change is based on (0 before the first save)."
    )
    accepting_applications: JsonBool
    accepting_from: JsonDate | None = None
    accepting_to: JsonDate | None = None
    offers: list[OfferInput] = Field(default_factory=list, max_length=MAX_OFFERS)
    contact_email: str | None = Field(
        default=None,
        description="The institution's address for the daily digest of new applications "
        "(e.g. pieteikumi@skola.lv); omitted or null: no digest.",
    )


class LendingSettingsView(BaseModel):
    institution_id: str
    saved: bool = Field(description="False while the register's data is in force.")
    version: int
    accepting_applications: bool
    accepting_from: dt.date | None
    accepting_to: dt.date | None
    accepting_now: bool
    offers: list[LendingOffer]
    contact_email: str | None = Field(
        description="Where the daily digest of new applications goes; null: no digest."
    )
    updated_at: dt.datetime | None
    updated_by: str | None


class AuditView(BaseModel):
    at: dt.datetime
    version: int
    actor_name: str
    changes: list[FieldChange]


AuditPage = Page[AuditView]
