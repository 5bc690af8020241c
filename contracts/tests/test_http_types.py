"""Request body fields take exactly their JSON Schema type, also in the lax
mode Litestar validates bodies in (``model_validate(..., strict=False)``)."""

from __future__ import annotations

import datetime as dt

import pytest
from edu_contracts.http import JsonBool, JsonDate, JsonInt, RequestBody
from pydantic import ValidationError


class Sample(RequestBody):
    count: JsonInt | None = None
    flag: JsonBool | None = None
    day: JsonDate | None = None


@pytest.mark.parametrize(
    "body",
    [{"count": True}, {"count": "12"}, {"flag": 0}, {"flag": "true"}, {"day": 0}, {"day": 1.5}],
)
def test_lax_coercions_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Sample.model_validate(body, strict=False)


def test_documented_values_are_taken() -> None:
    sample = Sample.model_validate(
        {"count": 12.0, "flag": False, "day": "2026-12-03"}, strict=False
    )
    assert (sample.count, sample.flag, sample.day) == (12, False, dt.date(2026, 12, 3))
