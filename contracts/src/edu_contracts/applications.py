"""Events the applications service publishes on ``edu.applications.events.v1``.

Keyed by application id. ``application.status-changed.v1`` carries no personal
code and no name: retention and other readers need ids, statuses and dates. The
one contact detail on it, ``contact_email`` (with ``language``, ``reason`` and
``postponed_until``), is there for the notifications service, which tells the
applicant about the change (ARCHITECTURE.md, "Notifications"); added as optional
fields, so events published before them still parse.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from edu_contracts import topics
from edu_contracts.documents import Language
from edu_contracts.envelope import Contract, Envelope
from edu_contracts.personal_code import PersonalCode


class ApplicantRole(StrEnum):
    """Step 1 of the wizard: who applies for whom."""

    PARENT_OR_GUARDIAN = "parent_or_guardian"
    ADULT_LEARNER = "adult_learner"
    EMPLOYEE = "employee"


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    BEING_VERIFIED = "being_verified"
    SUBMITTED = "submitted"
    REJECTED = "rejected"  # by the registry verification, not by the institution
    POSTPONED = "postponed"
    GRANTED = "granted"
    REFUSED = "refused"
    READY_FOR_ISSUE = "ready_for_issue"
    ISSUED = "issued"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


CLOSED_STATUSES: frozenset[ApplicationStatus] = frozenset(
    {
        ApplicationStatus.RETURNED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.REJECTED,
    }
)
"""Statuses after which the retention clock runs (seeds part B §5, ARCHITECTURE.md)."""


class ReturnCondition(StrEnum):
    """The state a lent resource came back in (or that it did not: lost, stolen)."""

    GOOD = "good"
    DAMAGED = "damaged"
    INCOMPLETE = "incomplete"
    LOST = "lost"
    STOLEN = "stolen"


class ActorRole(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"


class VerificationRequestedPayload(Contract):
    application_id: UUID
    applicant_code: PersonalCode
    role: ApplicantRole
    learner_code: PersonalCode
    institution_id: str
    resource_offer_id: str
    socially_supported: bool
    social_group: str | None = None
    requested_at: AwareDatetime


class VerificationRequested(Envelope):
    """Submitted application to be re-checked against the registers."""

    TOPIC: ClassVar[str] = topics.APPLICATION_EVENTS
    event_type: Literal["application.verification-requested.v1"] = (
        "application.verification-requested.v1"
    )
    schema_version: Literal[1] = 1
    payload: VerificationRequestedPayload

    def partition_key(self) -> str:
        return str(self.payload.application_id)


class StatusChangedPayload(Contract):
    application_id: UUID
    application_reference: str | None = Field(
        default=None,
        description="The human reference people quote (e.g. IR-7K3M-Q9TX); "
        "absent on applications created before references existed.",
    )
    institution_id: str | None = None
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    changed_at: AwareDatetime
    actor_role: ActorRole
    version: int = Field(ge=1, description="Application version after the change; orders changes.")
    effective_date: dt.date | None = Field(
        default=None,
        description="Business date of the change when it differs from changed_at "
        "(e.g. the day a device was physically returned).",
    )
    contact_email: str | None = Field(
        default=None,
        max_length=254,
        description="Where the applicant asked to be contacted (step 6), as it is after the "
        "change; absent before it was given and on events published before the field existed.",
    )
    language: Language | None = Field(
        default=None,
        description="The language the application was made in (lv or en); absent means lv.",
    )
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="The institution's reason, on a refusal or a postponement.",
    )
    postponed_until: dt.date | None = Field(
        default=None, description="Until when the decision is postponed, on a postponement."
    )


class StatusChanged(Envelope):
    """Every transition of an application, including creation of the draft."""

    TOPIC: ClassVar[str] = topics.APPLICATION_EVENTS
    event_type: Literal["application.status-changed.v1"] = "application.status-changed.v1"
    schema_version: Literal[1] = 1
    payload: StatusChangedPayload

    def partition_key(self) -> str:
        return str(self.payload.application_id)


class IncidentReportedPayload(Contract):
    application_id: UUID
    application_reference: str | None = None
    institution_id: str | None = None
    incident_id: UUID
    kind: Literal["lost", "stolen"]
    reported_at: AwareDatetime
    version: int = Field(ge=1, description="Application version after the report.")
    contact_email: str | None = Field(
        default=None, max_length=254, description="As on status-changed: for notifications."
    )
    language: Language | None = Field(default=None, description="As on status-changed.")


class IncidentReported(Envelope):
    """The applicant reported an issued resource lost or stolen (the status
    does not change: the institution decides what follows). No description:
    free text stays with applications."""

    TOPIC: ClassVar[str] = topics.APPLICATION_EVENTS
    event_type: Literal["application.incident-reported.v1"] = "application.incident-reported.v1"
    schema_version: Literal[1] = 1
    payload: IncidentReportedPayload

    def partition_key(self) -> str:
        return str(self.payload.application_id)


ApplicationEvent = Annotated[
    VerificationRequested | StatusChanged | IncidentReported, Field(discriminator="event_type")
]
