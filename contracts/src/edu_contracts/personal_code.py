"""Latvian personal codes (personas kods).

Two formats are in use:
- old: ``DDMMYY-CNNNN`` where C is the century digit (0 = 1800s, 1 = 1900s,
  2 = 2000s) and the last digit is a check digit;
- new (issued since 2017): ``32NNNN-NNNNN`` with no birth date in it.

Codes are accepted with or without the hyphen and always stored hyphenated.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

# ASCII digits only ([0-9], not \d, which would take any script's digits).
_SHAPE = re.compile(r"^([0-9]{6})-?([0-9]{5})$")
PERSONAL_CODE_PATTERN = "^[0-9]{6}-?[0-9]{5}$"
PERSONAL_CODE_FORMAT = "lv-personal-code"
PERSONAL_CODE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": PERSONAL_CODE_PATTERN,
    # A named format for what a pattern cannot say: the birth date in an old
    # code and its check digit (edu_tools.fuzz_hooks generates such codes).
    "format": PERSONAL_CODE_FORMAT,
    "description": "Latvian personal code, DDMMYY-CNNNN (a real birth date, century digit "
    "0-2, valid check digit) or 32NNNN-NNNNN; the hyphen is optional.",
    "examples": ["321234-56789"],
}
_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CENTURY = {"0": 1800, "1": 1900, "2": 2000}


class PersonalCodeError(ValueError):
    """A personal code that is not valid; ``reason`` is machine-readable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def old_format_check_digit(first_ten: str) -> int | None:
    """The check digit of an old-format code, or None when no valid one exists."""
    check = (1101 - sum(int(d) * w for d, w in zip(first_ten, _WEIGHTS, strict=True))) % 11
    return None if check == 10 else check


def birth_date_of(code: str) -> dt.date | None:
    """Birth date encoded in an old-format code; None for new-format codes."""
    digits = code.replace("-", "")
    if digits.startswith("32"):
        return None
    year = _CENTURY[digits[6]] + int(digits[4:6])
    return dt.date(year, int(digits[2:4]), int(digits[0:2]))


def normalize_personal_code(value: str) -> str:
    """Validate a personal code and return it as ``NNNNNN-NNNNN``.

    Raises PersonalCodeError with reason ``personal_code_format``,
    ``personal_code_date`` or ``personal_code_checksum``.
    """
    match = _SHAPE.match(value.strip())
    if not match:
        raise PersonalCodeError(
            "personal_code_format",
            "A personal code has 11 digits: DDMMYY-XXXXX or 32XXXX-XXXXX.",
        )
    head, tail = match.groups()
    code = f"{head}-{tail}"
    digits = head + tail
    if digits.startswith("32"):
        return code
    if digits[6] not in _CENTURY:
        raise PersonalCodeError(
            "personal_code_format", "The century digit (7th digit) must be 0, 1 or 2."
        )
    try:
        birth_date_of(code)
    except ValueError:
        raise PersonalCodeError(
            "personal_code_date", "The first six digits are not a valid birth date."
        ) from None
    if old_format_check_digit(digits[:10]) != int(digits[10]):
        raise PersonalCodeError("personal_code_checksum", "The check digit is wrong.")
    return code


def _to_str(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _validated(value: str) -> str:
    try:
        return normalize_personal_code(value)
    except PersonalCodeError as err:
        # The error type and the message both carry the machine-readable reason,
        # so an HTTP layer can answer with it whatever wraps the pydantic error.
        raise PydanticCustomError(err.reason, f"{err.reason}: {err}") from None


PersonalCode = Annotated[str, BeforeValidator(_to_str), AfterValidator(_validated)]
"""A validated, normalised Latvian personal code."""

PersonalCodeInput = Annotated[PersonalCode, WithJsonSchema(PERSONAL_CODE_SCHEMA)]
"""``PersonalCode`` in an HTTP request body: the same validation, and its JSON
Schema says the pattern and format (the OpenAPI documents show it). Events keep
``PersonalCode``: their published schemas change only by a new version."""
