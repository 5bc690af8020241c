"""The forms of the resource application pages (wizard steps 1-7 and the
actions on a submitted application), each with its rules and its messages.
The applications service checks every answer again; these rules only spare
the person a round trip and say what is wrong at the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from edu_contracts.applications import ApplicantRole
from edu_contracts.applications_api import IncidentKind, SocialGroup
from edu_runtime.riga import today_in_latvia
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from edu_portal.applications.texts import incident_kind_names, social_group_names
from edu_portal.mydata.forms import TermsForm
from edu_portal.web.api import ApiProblem, invalid_fields
from edu_portal.web.forms import NO_VERSION, ChangeForm, FormErrors, PageForm
from edu_portal.web.i18n import _

__all__ = ["TermsForm"]  # the same checkbox and words as "My data"

ADULT, EMPLOYEE, CHILD = "adult_learner", "employee", "child:"


def posted_version(data: Any) -> int:
    """The version of a form with nothing else to check (submit, withdraw)."""
    form, _errors = ChangeForm.parse(data)
    return form.version if form else NO_VERSION


# --- the wizard ------------------------------------------------------------------------


class ProfileForm(PageForm):
    """Step 1: an adult learner, an employee, or ``child:<code>`` of a person
    the registers say the caller represents (context ``represented``)."""

    profile: str

    @field_validator("profile")
    @classmethod
    def _one_of_the_choices(cls, value: str, info: ValidationInfo) -> str:
        represented = (info.context or {}).get("represented", ())
        if value in (ADULT, EMPLOYEE):
            return value
        if value.startswith(CHILD) and value[len(CHILD) :] in represented:
            return value
        raise PydanticCustomError("unknown_choice", "not one of the choices")

    @property
    def role(self) -> ApplicantRole:
        return (
            ApplicantRole.PARENT_OR_GUARDIAN if self.learner_code else ApplicantRole(self.profile)
        )

    @property
    def learner_code(self) -> str | None:
        return self.profile[len(CHILD) :] if self.profile.startswith(CHILD) else None

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"profile": _("Choose who the application is for")}


class InstitutionForm(ChangeForm):
    institution: str

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"institution": _("Choose the institution")}


class SocialStatusForm(ChangeForm):
    supported: Literal["yes", "no"]
    social_group: str | None = Field(default=None, validate_default=True)

    @field_validator("social_group")
    @classmethod
    def _group_when_supported(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("supported") != "yes":
            return None
        if value not in social_group_names():
            raise PydanticCustomError("unknown_group", "not one of the groups")
        return value

    @property
    def group(self) -> SocialGroup | None:
        """The group, or None when the learner belongs to none."""
        return SocialGroup(self.social_group) if self.social_group else None

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "supported": _("Say whether the learner belongs to a socially supported group"),
            "social_group": _("Choose the socially supported group"),
        }


class ResourceForm(ChangeForm):
    offer: str

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"offer": _("Choose the resource")}


class DocumentsForm(ChangeForm):
    read: Literal["yes"]

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"read": _("Confirm that you have read the documents")}


def _phone(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "").lstrip("+")
    if not (digits.isdigit() and 8 <= len(digits) <= 15):
        raise PydanticCustomError("phone_format", "not a phone number")
    return value


def _email(value: str) -> str:
    if "@" not in value or "." not in value.rsplit("@", 1)[-1]:
        raise PydanticCustomError("email_format", "not an e-mail address")
    return value


class ContactForm(ChangeForm):
    """Step 6, and the contact edit of a submitted application."""

    phone: str
    email: str

    _check_phone = field_validator("phone")(_phone)
    _check_email = field_validator("email")(_email)

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "phone.missing": _("Enter a phone number"),
            "phone": _("Enter a phone number like 2612 3456 or +371 2612 3456"),
            "email.missing": _("Enter an e-mail address"),
            "email": _("Enter an e-mail address like name@example.lv"),
        }

    @staticmethod
    def refused(problem: ApiProblem) -> FormErrors:
        """The service's 422 on a contact change, at the fields it names."""
        errors = FormErrors()
        fields = invalid_fields(problem)
        if "phone" in fields:
            errors.add("phone", _("Enter a phone number like 2612 3456 or +371 2612 3456"))
        if "email" in fields or not errors:
            errors.add("email", _("Enter an e-mail address like name@example.lv"))
        return errors


# --- after submission --------------------------------------------------------------------


class ReceiptForm(ChangeForm):
    received: Literal["yes"]

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"received": _("Confirm that you have received the resource")}


def _date(value: Any) -> Any:
    """31.08.2026, 31.08.2026. or 2026-08-31; not in the future."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip().rstrip(".")
    try:
        if "-" in text:
            day = dt.date.fromisoformat(text)
        else:
            d, m, y = (int(p) for p in text.split("."))
            day = dt.date(y, m, d)
    except ValueError:
        raise PydanticCustomError("date_format", "not a date") from None
    if day > today_in_latvia():
        raise PydanticCustomError("future_date", "a date in the future")
    return day


class IncidentForm(ChangeForm):
    """A loss or theft of the issued resource."""

    kind: str
    description: str = Field(min_length=10, max_length=4000)
    occurred_on: Annotated[dt.date | None, BeforeValidator(_date)] = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in incident_kind_names():
            raise PydanticCustomError("unknown_kind", "not lost or stolen")
        return value

    @property
    def incident_kind(self) -> IncidentKind:
        return IncidentKind(self.kind)

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "kind": _("Say whether the resource was lost or stolen"),
            "description": _("Describe what happened (at least 10 characters)"),
            "description.string_too_long": _("The description can be at most 4000 characters long"),
            "occurred_on": _("Enter the date like 31.08.2026."),
            "occurred_on.future_date": _("The date cannot be in the future"),
        }


# --- the service's refusals, read ---------------------------------------------------------


def open_application_id(problem: ApiProblem) -> str | None:
    """The open application named by a 409 ``open_application_exists``."""
    found = problem.extra.get("application_id")
    return str(found) if found else None
