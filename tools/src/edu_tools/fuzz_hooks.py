"""Schemathesis hooks for ``edu_tools.fuzz`` (loaded through ``SCHEMATHESIS_HOOKS``
in each schemathesis process): how to generate the formats the OpenAPI
documents name but JSON Schema cannot describe.

``lv-personal-code``: a pattern says the shape (``edu_contracts.personal_code``)
but not the birth date in an old code nor its check digit; without this, valid
data by the document would mostly be codes the API rightly refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import schemathesis
from edu_contracts.personal_code import (
    PERSONAL_CODE_FORMAT,
    PersonalCodeError,
    normalize_personal_code,
    old_format_check_digit,
)
from hypothesis import assume
from hypothesis import strategies as st

_CENTURY_DIGIT = {18: "0", 19: "1", 20: "2"}


@st.composite
def _old_format(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2016, 12, 31)))
    head = born.strftime("%d%m%y") + _CENTURY_DIGIT[born.year // 100]
    first_ten = head + draw(st.from_regex(r"\A[0-9]{3}\Z"))
    check = old_format_check_digit(first_ten)
    assume(check is not None)  # about 1 serial in 11 has no valid check digit
    digits = first_ten + str(check)
    hyphen = draw(st.sampled_from(["-", ""]))
    return digits[:6] + hyphen + digits[6:]


_new_format = st.from_regex(r"\A32[0-9]{4}-?[0-9]{5}\Z")


def _accepted(code: str) -> bool:
    """Only what the API's own validator accepts (the one definition)."""
    try:
        normalize_personal_code(code)
    except PersonalCodeError:
        return False
    return True


personal_codes = st.one_of(_old_format(), _new_format).filter(_accepted)

schemathesis.openapi.format(PERSONAL_CODE_FORMAT, personal_codes)


# Rules between values that JSON Schema cannot state (the document says them in
# words): `edu_applications.domain.lending.change_settings` refuses a period that
# ends before it starts and two resources with one identifier (422 bad_period,
# duplicate_offer). Generated bodies keep to them, as a client reading the
# document would.
LENDING_SETTINGS = ("PUT", "/api/v1/staff/lending-settings")


def _lending_settings_valid(body: dict[str, Any]) -> bool:
    start, end = body.get("accepting_from"), body.get("accepting_to")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        return False
    offers = body.get("offers")
    if not isinstance(offers, list):
        return True
    ids = [o.get("offer_id") for o in offers if isinstance(o, dict) and o.get("offer_id")]
    return len(ids) == len(set(ids))


@schemathesis.hook
def filter_body(ctx: Any, body: Any) -> bool:
    operation = ctx.operation
    if operation is None or not isinstance(body, dict):
        return True
    if (operation.method.upper(), operation.path) == LENDING_SETTINGS:
        return _lending_settings_valid(body)
    return True
