"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from uuid import UUID

from edu_contracts.applications import ApplicantRole, ApplicationStatus
from edu_contracts.documents import Language
from edu_contracts.http import JsonBool, JsonDate, JsonInt, RequestBody
from edu_contracts.notifications import MessageChannel, MessageKind
from edu_contracts.personal_code import PersonalCodeInput
from edu_contracts.staff_api import CLASS_GROUP_MAX as CLASS_GROUP_MAX  # noqa: PLC0414
from edu_contracts.staff_api import OPEN_INCIDENT as OPEN_INCIDENT  # noqa: PLC0414
from edu_contracts.staff_api import QUERY_MAX as QUERY_MAX  # noqa: PLC0414
from edu_contracts.staff_api import VISIBLE_STATUSES
from edu_contracts.staff_api import DecisionRequest as DecisionRequest  # noqa: PLC0414
from edu_contracts.staff_api import IncidentClosing as IncidentClosing  # noqa: PLC0414
from edu_contracts.staff_api import ReadyForIssue as ReadyForIssue  # noqa: PLC0414
from edu_contracts.staff_api import ReturnRequest as ReturnRequest  # noqa: PLC0414
from edu_runtime.mongo import Doc
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from litestar.params import QueryParameter
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, WithJsonSchema

from edu_applications.domain.model import (
    Application,
    Incident,
    IncidentKind,
    SocialGroup,
)
from edu_applications.domain.statuses import label

# What a phone number may look like, as one pattern the validator checks and the
# OpenAPI document carries: 8 to 15 digits, an optional leading +, spaces,
# hyphens and parentheses anywhere between.
_SEPARATOR = "[ ()-]"
PHONE_PATTERN = f"^{_SEPARATOR}*[+]?(?:{_SEPARATOR}*[0-9]){{8,15}}{_SEPARATOR}*$"
_PHONE = re.compile(PHONE_PATTERN)


def _phone(value: str) -> str:
    """'+371 2612 3456' → '+37126123456'; 8 bare digits are taken as Latvian."""
    if not _PHONE.match(value):
        raise ValueError("a phone number has 8 to 15 digits, optionally with a leading +")
    compact = re.sub(_SEPARATOR, "", value)
    if len(compact) == 8 and compact[0] in "26":
        compact = "+371" + compact
    return compact


Phone = Annotated[
    str,
    AfterValidator(_phone),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": PHONE_PATTERN,
            "description": "8 to 15 digits, optionally with a leading +; spaces, hyphens "
            "and parentheses are ignored.",
            "examples": ["+371 2612 3456"],
        }
    ),
]


def _any_case(name: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name)


# EmailStr (email-validator) refuses addresses at special-use domains (.test,
# .local, …) although they are well formed; the document says so with a
# pattern built from email-validator's own list (ECMA regex has no i flag).
EMAIL_PATTERN = (
    "^(?!.*[.@](?:" + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES) + ")$)"
)
Email = Annotated[
    EmailStr,
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "pattern": EMAIL_PATTERN,
            "description": "An e-mail address; not at a special-use domain ("
            + ", ".join(SPECIAL_USE_DOMAIN_NAMES)
            + ").",
        }
    ),
]


# The staff lists' query filters, documented from the limits the handlers check.
IncidentQuery = Annotated[
    str | None,
    QueryParameter(
        required=False,
        description="'open': only applications with an open loss or theft report.",
        schema_extra={"enum": [OPEN_INCIDENT]},
    ),
]
SearchQuery = Annotated[
    str | None,
    QueryParameter(
        required=False,
        description=f"Search text, at most {QUERY_MAX} characters.",
        schema_extra={"maxLength": QUERY_MAX},
    ),
]
ClassGroupQuery = Annotated[
    str | None,
    QueryParameter(
        required=False,
        description=f"Class, at most {CLASS_GROUP_MAX} characters.",
        schema_extra={"maxLength": CLASS_GROUP_MAX},
    ),
]
StatusQuery = Annotated[
    ApplicationStatus | None,
    QueryParameter(
        required=False,
        description="Only applications in this status (drafts are the applicant's own).",
        schema_extra={"enum": VISIBLE_STATUSES},
    ),
]


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
    phone: Phone
    email: Email


class Withdrawal(Versioned):
    reason: str | None = Field(default=None, max_length=1000)


class IncidentReport(Versioned):
    kind: IncidentKind
    description: str = Field(min_length=10, max_length=4000)
    occurred_on: JsonDate | None = None


class ApplicationView(Application):
    """The application with its status label in the caller's language."""

    status_label: str

    @classmethod
    def of(cls, app: Application, lang: Language) -> ApplicationView:
        return cls.model_validate({**app.model_dump(), "status_label": label(app.status, lang)})


class SentMessageView(BaseModel):
    """A message notifications sent about the application."""

    kind: MessageKind
    subject: str
    sent_at: dt.datetime
    channel: MessageChannel

    @classmethod
    def of(cls, doc: Doc) -> SentMessageView:
        return cls.model_validate({k: doc[k] for k in ("kind", "subject", "sent_at", "channel")})


class ApplicationDetail(ApplicationView):
    """One application as its page shows it: with the messages sent about it."""

    messages: list[SentMessageView] = Field(
        description="What was sent to the applicant about the application and when, "
        "newest first (no addresses)."
    )

    @classmethod
    def with_messages(
        cls, app: Application, lang: Language, messages: list[Doc]
    ) -> ApplicationDetail:
        view = ApplicationView.of(app, lang)
        return cls.model_validate(
            {**view.model_dump(), "messages": [SentMessageView.of(m) for m in messages]}
        )


class ApplicationSummary(BaseModel):
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

    @classmethod
    def of(cls, app: Application, lang: Language) -> ApplicationSummary:
        return cls(
            id=app.id,
            reference=app.reference,
            version=app.version,
            status=app.status,
            status_label=label(app.status, lang),
            role=app.role,
            learner_name=app.learner.full_name,
            institution_name=app.institution.name if app.institution else None,
            resource_type=app.resource.resource_type if app.resource else None,
            open_incidents=sum(1 for i in app.incidents if i.is_open),
            created_at=app.created_at,
            updated_at=app.updated_at,
        )


class IncidentCreated(BaseModel):
    incident: Incident
    application: ApplicationView
