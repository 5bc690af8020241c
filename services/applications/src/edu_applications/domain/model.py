"""The application aggregate and its parts (I/O-free, immutable)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from edu_contracts.applications import ActorRole, ApplicantRole, ApplicationStatus, ReturnCondition
from edu_contracts.applications_api import IncidentKind as IncidentKind  # noqa: PLC0414
from edu_contracts.applications_api import SocialGroup as SocialGroup  # noqa: PLC0414
from edu_contracts.documents import DocumentKind, Language
from edu_contracts.personal_code import PersonalCode
from edu_contracts.registry_api import ResourceTargetGroup
from edu_contracts.staff_api import DecisionKind as DecisionKind  # noqa: PLC0414
from edu_contracts.staff_api import IssuedItem as IssuedItem  # noqa: PLC0414
from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Actor(Frozen):
    """Who did something: shown in the history by name, never by personal code."""

    name: str
    role: ActorRole
    auth_method: str | None = None


SYSTEM = Actor(name="VIIS", role=ActorRole.SYSTEM)


class Person(Frozen):
    personal_code: PersonalCode
    full_name: str | None = None


class InstitutionSnapshot(Frozen):
    institution_id: str
    name: str
    registration_number: str | None = None
    address: str | None = None
    class_group: str | None = None  # the learner's class there (staff filter by it)


class ResourceSnapshot(Frozen):
    offer_id: str
    resource_type: str
    description: str
    target_group: ResourceTargetGroup


# --- what the rules are told about the world (the service translates the
# registers' and registry-reader's answers into these) -----------------------


class RegisteredInstitution(InstitutionSnapshot):
    """An institution as the registers show it."""

    eligible_for_applications: bool  # state/municipal and runs an eligible programme
    accepting_applications: bool


class Offer(ResourceSnapshot):
    """A resource an institution lends."""

    institution_id: str


class Verdict(Frozen):
    """registry-reader's answer to a verification request."""

    request_event_id: UUID
    eligible: bool
    reasons: tuple[str, ...] = ()
    learner_full_name: str | None = None


class Contact(Frozen):
    phone: str
    email: str


class AcknowledgedDocument(Frozen):
    code: str
    title: str
    version: str


class Incident(Frozen):
    id: UUID
    kind: IncidentKind
    description: str
    occurred_on: dt.date | None = None
    reported_at: dt.datetime
    reported_by: str
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    closing_note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Decision(Frozen):
    kind: DecisionKind
    reason: str | None = None
    postponed_until: dt.date | None = None
    decided_at: dt.datetime
    decided_by: str


class ReturnRecord(Frozen):
    condition: ReturnCondition
    note: str | None = None
    returned_on: dt.date
    received_by: str


class DocumentStatus(StrEnum):
    REQUESTED = "requested"
    RENDERED = "rendered"
    FAILED = "failed"


class LinkedDocument(Frozen):
    document_id: UUID
    kind: DocumentKind
    status: DocumentStatus = DocumentStatus.REQUESTED
    number: str | None = None
    sha256: str | None = None
    requested_at: dt.datetime
    rendered_at: dt.datetime | None = None


class Transition(Frozen):
    at: dt.datetime
    actor: str
    actor_role: ActorRole
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    reason: str | None = None


class Application(Frozen):
    id: UUID
    # The human reference (domain/reference.py); None on applications stored
    # before references existed, which keep loading and show their id.
    reference: str | None = None
    version: int = 1
    status: ApplicationStatus = ApplicationStatus.DRAFT
    created_at: dt.datetime
    updated_at: dt.datetime
    role: ApplicantRole
    applicant: Person
    learner: Person
    institution: InstitutionSnapshot | None = None
    socially_supported: bool | None = None
    social_group: SocialGroup | None = None
    resource: ResourceSnapshot | None = None
    acknowledged_documents: tuple[AcknowledgedDocument, ...] | None = None
    contact: Contact | None = None
    verification_request_id: UUID | None = None
    rejection_reasons: tuple[str, ...] = ()
    decision: Decision | None = None
    item: IssuedItem | None = None
    incidents: tuple[Incident, ...] = ()
    documents: tuple[LinkedDocument, ...] = ()
    return_record: ReturnRecord | None = None
    history: tuple[Transition, ...] = ()
    # The language the applicant made it in: what they are written to in
    # (notifications). Latvian on applications stored before it was kept.
    language: Language = Language.LV

    @property
    def institution_id(self) -> str | None:
        return self.institution.institution_id if self.institution else None

    @property
    def open_slot(self) -> str | None:
        """The key that allows one open application per learner and resource type."""
        if self.resource is None:
            return None
        return f"{self.learner.personal_code}:{self.resource.resource_type}"
