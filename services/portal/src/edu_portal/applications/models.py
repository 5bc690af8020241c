"""What the pages read from the applications API (services/applications
README). Only the fields the pages show; unknown fields are ignored so that
the service can add to its answers without breaking the pages."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from edu_contracts.applications import ActorRole, ApplicantRole, ApplicationStatus
from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PersonView(View):
    personal_code: str | None = None  # the learner's: to go on with a draft for that child
    full_name: str | None = None


class InstitutionView(View):
    institution_id: str
    name: str
    address: str | None = None


class ResourceView(View):
    offer_id: str
    resource_type: str
    description: str
    target_group: str


class ContactView(View):
    phone: str
    email: str


class AcknowledgedView(View):
    code: str
    title: str
    version: str


class ItemView(View):
    model: str
    inventory_number: str
    serial_number: str


class IncidentView(View):
    id: UUID
    kind: str
    description: str
    occurred_on: dt.date | None = None
    reported_at: dt.datetime
    closed_at: dt.datetime | None = None
    closing_note: str | None = None


class DecisionView(View):
    kind: str
    reason: str | None = None
    postponed_until: dt.date | None = None
    decided_at: dt.datetime


class LinkedDocumentView(View):
    document_id: UUID
    kind: str
    status: str
    number: str | None = None
    rendered_at: dt.datetime | None = None


class TransitionView(View):
    at: dt.datetime
    actor: str
    actor_role: ActorRole
    from_status: ApplicationStatus | None = None
    to_status: ApplicationStatus
    reason: str | None = None


class ReturnView(View):
    condition: str
    returned_on: dt.date


class SentMessageView(View):
    kind: str
    subject: str
    sent_at: dt.datetime
    channel: str = "email"


class ApplicationView(View):
    id: UUID
    reference: str | None = None  # the human number; absent on old applications
    version: int
    status: ApplicationStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    role: ApplicantRole
    learner: PersonView
    institution: InstitutionView | None = None
    socially_supported: bool | None = None
    social_group: str | None = None
    resource: ResourceView | None = None
    acknowledged_documents: tuple[AcknowledgedView, ...] | None = None
    contact: ContactView | None = None
    rejection_reasons: tuple[str, ...] = ()
    decision: DecisionView | None = None
    item: ItemView | None = None
    incidents: tuple[IncidentView, ...] = ()
    documents: tuple[LinkedDocumentView, ...] = ()
    return_record: ReturnView | None = None
    history: tuple[TransitionView, ...] = ()
    # What was sent about it, newest first (only in the answer for one application).
    messages: tuple[SentMessageView, ...] = ()

    @property
    def open_incidents(self) -> list[IncidentView]:
        return [i for i in self.incidents if i.closed_at is None]


class ApplicationSummaryView(View):
    id: UUID
    reference: str | None = None
    status: ApplicationStatus
    role: ApplicantRole
    learner_name: str | None = None
    institution_name: str | None = None
    resource_type: str | None = None
    open_incidents: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


class ApplicationList(View):
    items: tuple[ApplicationSummaryView, ...]
    total: int
    limit: int
    offset: int


class TermsView(View):
    terms_version: str
    accepted: bool
