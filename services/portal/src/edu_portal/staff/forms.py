"""The staff pages' forms as objects (``PageForm``): one application's actions
(grant, refuse, postpone, return, close an incident; ready for issue is
the register's item, ``register_forms``), the bulk
grant's choice and the lending settings. Each validates in one call, says
what is wrong in the page's language, and gives the staff API's body
(``edu_contracts.staff_api``), so its rules are unit-tested without a browser
(``tests/test_staff_forms.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from edu_contracts.applications import ReturnCondition
from edu_contracts.staff_api import (
    BulkGrant,
    BulkTarget,
    DecisionKind,
    DecisionRequest,
    IncidentClosing,
    ReturnRequest,
)
from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo, field_validator

from edu_portal.web.forms import ChangeForm, PageForm
from edu_portal.web.i18n import _

# --- field types ---------------------------------------------------------------------------

TEXT_MAX = 2000


def _text(value: Any) -> Any:
    return str(value).strip()[:TEXT_MAX] if value is not None else value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())  # ValueError: an error at the field
    return value


Text = Annotated[str, BeforeValidator(_text)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _fill_in() -> str:
    return _("Fill in this field")


def date_like() -> str:
    return _("Enter a date like 2026-09-15")


# --- one application's actions ---------------------------------------------------------------


class ActionForm(ChangeForm):
    """An action on one application; ``body`` is what the staff API takes:
    the form's fields as they are named there (and the decision)."""

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {name: _fill_in() for name in cls.model_fields if name != "version"}


class GrantForm(ActionForm):
    def body(self) -> DecisionRequest:
        return DecisionRequest(**self.model_dump(), decision=DecisionKind.GRANT)


class RefuseForm(ActionForm):
    reason: Text

    def body(self) -> DecisionRequest:
        return DecisionRequest(**self.model_dump(), decision=DecisionKind.REFUSE)


class PostponeForm(ActionForm):
    reason: Text
    postponed_until: IsoDate

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            **super().messages(),
            "postponed_until": date_like(),
            "postponed_until.missing": _fill_in(),
        }

    def body(self) -> DecisionRequest:
        return DecisionRequest(**self.model_dump(), decision=DecisionKind.POSTPONE)


class ReturnForm(ActionForm):
    condition: ReturnCondition
    note: Text | None = None
    returned_on: IsoDate | None = None

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "condition": _("Choose one of the options"),
            "condition.missing": _fill_in(),
            "returned_on": date_like(),
        }

    def body(self) -> ReturnRequest:
        return ReturnRequest(**self.model_dump())


class CloseIncidentForm(ActionForm):
    note: Text

    def body(self) -> IncidentClosing:
        return IncidentClosing(**self.model_dump())


# --- bulk grant ----------------------------------------------------------------------------

BULK_MAX = 100


def _targets(value: Any) -> list[BulkTarget]:
    """``<id>:<version>`` of each ticked application; one that does not read
    as such is left out (a page never sends one)."""
    values = [value] if isinstance(value, str) else list(value or ())
    targets: list[BulkTarget] = []
    for text in values[:BULK_MAX]:
        app_id, _sep, version = str(text).partition(":")
        try:
            targets.append(BulkTarget(id=UUID(app_id), version=int(version)))
        except (ValueError, ValidationError):
            continue
    return targets


class BulkGrantForm(PageForm):
    """The applications ticked in the inbox for granting."""

    app: Annotated[list[BulkTarget], BeforeValidator(_targets), Field(min_length=1)]

    def body(self) -> BulkGrant:
        return BulkGrant(applications=self.app)


# --- staff sign-in ---------------------------------------------------------------------------


class InstitutionChoice(PageForm):
    """Which of the institutions the registers say the person works at
    (``parse(data, known=<their ids>)``) they sign in for."""

    institution: str

    @field_validator("institution")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        if value not in (info.context or {}).get("known", ()):
            raise ValueError("not an institution the person works at")
        return value

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"institution": _("Choose the institution you work for")}
