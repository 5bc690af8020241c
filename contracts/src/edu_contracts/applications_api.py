"""The applications service's citizen API (``/api/v1/applications``,
``/api/v1/terms/resource-applications``): the request bodies, declared once for
the service (which validates them) and its callers (the portal's
``ApplicationsClient``), and the answers as a caller reads them.

The answers are read tolerantly: only the fields a caller shows, unknown
fields ignored, so that the service can add to its answers without breaking
its callers. The request bodies refuse unknown fields (``RequestBody``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from edu_contracts.applications import ActorRole, ApplicantRole, ApplicationStatus
from edu_contracts.http import JsonBool, JsonDate, JsonInt, RequestBody
from edu_contracts.personal_code import PersonalCodeInput


class SocialGroup(StrEnum):
    """Socially supported groups an institution may buy resources for (step 3)."""

    NEEDY = "needy"  # trūcīga ģimene
    LOW_INCOME = "low_income"  # maznodrošināta ģimene
    LARGE_FAMILY = "large_family"  # daudzbērnu ģimene
    ORPHAN = "orphan_or_without_parental_care"  # bārenis vai bez vecāku gādības palicis bērns
    DISABILITY = "disability"  # bērns vai persona ar invaliditāti
    FOSTER_FAMILY = "foster_family"  # audžuģimenē ievietots bērns
    OTHER = "other"


class IncidentKind(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"


# --- request bodies -----------------------------------------------------------------


class Body(RequestBody):
    """Every request body here: unknown fields are refused (see ``RequestBody``)."""


class Versioned(Body):
    version: JsonInt = Field(ge=1, description="The application version this change is based on.")


class TermsAcceptance(Body):
    terms_version: str | None = Field(default=None, description="Defaults to the current version.")


class DraftRequest(Body):
    # workflow.learner_code_of's rule, in the document too: a parent names the
    # child; an adult learner or an employee applies for themselves (the API
    # also takes their own code, which the document leaves out).
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "properties": {
                        "role": {"const": ApplicantRole.PARENT_OR_GUARDIAN.value},
                        "learner_code": {"not": {"type": "null"}},
                    },
                    "required": ["learner_code"],
                },
                {
                    "properties": {
                        "role": {
                            "enum": [
                                r.value
                                for r in ApplicantRole
                                if r is not ApplicantRole.PARENT_OR_GUARDIAN
                            ]
                        },
                        "learner_code": {"type": "null"},
                    }
                },
            ]
        }
    )

    role: ApplicantRole
    learner_code: PersonalCodeInput | None = Field(
        default=None, description="The child's personal code (role parent_or_guardian)."
    )


class InstitutionStep(Versioned):
    institution_id: str = Field(min_length=1, max_length=64)


class SocialStatusStep(Versioned):
    # The rule workflow.set_social_status enforces, in the document too: a group
    # exactly when socially supported.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "properties": {
                        "socially_supported": {"const": True},
                        "social_group": {"not": {"type": "null"}},
                    },
                    "required": ["social_group"],
                },
                {
                    "properties": {
                        "socially_supported": {"const": False},
                        "social_group": {"type": "null"},
                    }
                },
            ]
        }
    )

    socially_supported: JsonBool
    social_group: SocialGroup | None = None


class ResourceStep(Versioned):
    offer_id: str = Field(min_length=1, max_length=64)


class DocumentAck(Body):
    code: str = Field(min_length=1, max_length=64)
    version: str = Field(min_length=1, max_length=32)


class DocumentsStep(Versioned):
    acknowledged: list[DocumentAck] = Field(max_length=20)


class ContactStep(Versioned):
    """The shape on the wire; the service checks the phone number and the
    address further (its ``ContactStep`` narrows both fields)."""

    phone: str
    email: str


class Withdrawal(Versioned):
    reason: str | None = Field(default=None, max_length=1000)


class IncidentReport(Versioned):
    kind: IncidentKind
    description: str = Field(min_length=10, max_length=4000)
    occurred_on: JsonDate | None = None


# --- answers, as a caller reads them ----------------------------------------------------


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


class ApplicationSummary(BaseModel):
    """One line of a list of applications (the citizen's and the staff's):
    declared once, answered by the service and read by the portal."""

    id: UUID
    reference: str | None = Field(
        default=None, description="The human reference, e.g. IR-7K3M-Q9TX (none on old ones)."
    )
    version: int
    status: ApplicationStatus
    status_label: str
    role: ApplicantRole
    learner_name: str | None
    institution_name: str | None
    resource_type: str | None
    open_incidents: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ApplicationList(View):
    items: tuple[ApplicationSummary, ...]
    total: int
    limit: int
    offset: int


class TermsState(BaseModel):
    """``GET /api/v1/terms/resource-applications``: the current terms version
    and whether the caller has accepted it."""

    terms_version: str
    accepted: bool
    checkbox_label: str


class IncidentReported(View):
    """The answer to an incident report: the incident and the application."""

    application: ApplicationView
