"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from edu_contracts import applications_api
from edu_contracts.applications import ApplicationStatus
from edu_contracts.applications_api import ApplicationSummary
from edu_contracts.documents import Language
from edu_contracts.notifications import MessageChannel, MessageKind
from edu_contracts.staff_api import CLASS_GROUP_MAX as CLASS_GROUP_MAX  # noqa: PLC0414
from edu_contracts.staff_api import OPEN_INCIDENT as OPEN_INCIDENT  # noqa: PLC0414
from edu_contracts.staff_api import QUERY_MAX as QUERY_MAX  # noqa: PLC0414
from edu_contracts.staff_api import VISIBLE_STATUSES
from edu_contracts.staff_api import DecisionRequest as DecisionRequest  # noqa: PLC0414
from edu_contracts.staff_api import IncidentClosing as IncidentClosing  # noqa: PLC0414
from edu_contracts.staff_api import ReturnRequest as ReturnRequest  # noqa: PLC0414
from edu_runtime.mongo import Doc
from edu_runtime.projection import project
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from litestar.params import QueryParameter
from pydantic import AfterValidator, BaseModel, EmailStr, Field, WithJsonSchema

from edu_applications.domain.model import (
    Application,
    Incident,
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


# The citizen API's request bodies are the contract's (edu_contracts.applications_api),
# shared with the portal's client; the service narrows the contact fields.
class ContactStep(applications_api.ContactStep):
    phone: Phone
    email: Email


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


def summary_of(app: Application, lang: Language) -> ApplicationSummary:
    """The application as one line of a list (``edu_contracts.applications_api``)."""
    return project(
        ApplicationSummary,
        app,  # its id, reference, version, status, role, created_at and updated_at
        status_label=label(app.status, lang),
        learner_name=app.learner.full_name,
        institution_name=app.institution.name if app.institution else None,
        resource_type=app.resource.resource_type if app.resource else None,
        open_incidents=sum(1 for i in app.incidents if i.is_open),
    )


class IncidentCreated(BaseModel):
    incident: Incident
    application: ApplicationView
