"""The forms of "My data": the terms agreement and whose data to show.
Shared by the application pages for their own terms checkbox (same words)."""

from __future__ import annotations

from typing import Literal

from edu_contracts.personal_code import PersonalCodeError, normalize_personal_code
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from edu_portal.web.forms import PageForm
from edu_portal.web.i18n import _

OTHER = "other"
SELF = "self"


class TermsForm(PageForm):
    """ "I agree to the terms of use" (a checkbox that must be ticked)."""

    agree: Literal["yes"]

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"agree": _("Confirm that you agree to the terms of use to continue")}


class WhoseForm(PageForm):
    """Whose data: ``self``, a represented person's code (as listed), or
    ``other`` with a typed personal code. Context: ``known``, the codes of the
    persons the registers say the caller represents."""

    whose: str
    personal_code: str | None = Field(default=None, validate_default=True)

    @field_validator("whose")
    @classmethod
    def _one_of_the_choices(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("known", ())
        if value in (SELF, OTHER) or value in known:
            return value
        raise PydanticCustomError("unknown_choice", "not one of the choices")

    @field_validator("personal_code")
    @classmethod
    def _typed_code(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("whose") != OTHER:
            return None
        if not value:
            raise PydanticCustomError("missing_code", "a personal code is needed")
        try:
            return normalize_personal_code(value)
        except PersonalCodeError:
            raise PydanticCustomError("bad_code", "not a personal code") from None

    @property
    def subject(self) -> str | None:
        """The personal code whose data is asked for; None for one's own."""
        if self.whose == SELF:
            return None
        return self.personal_code if self.whose == OTHER else self.whose

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "whose": _("Choose whose data you want to see"),
            "personal_code.missing_code": _("Enter the personal code of the person you represent"),
            "personal_code": _("Enter a valid personal code, like 123456-12345"),
        }
