"""Shapes every HTTP API shares: the error body, the strict request body, pagination."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer. ``reason`` is machine-readable and stable."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(examples=["terms_not_accepted"])
    detail: str = Field(examples=["Accept the terms of use first."])
    extra: dict[str, Any] | None = None


class RequestBody(BaseModel):
    """Base of every HTTP request body: a field the model does not declare is a
    422 naming it (``unknown_field``), never silently dropped. Integer, boolean
    and date fields are ``JsonInt``, ``JsonBool`` and ``JsonDate``, so they take
    no more than their documented type."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _json_integer(value: object) -> object:
    # Pydantic's lax mode would take true, "12" or "1e3"; JSON Schema's
    # integer is a number without a fraction (12 and 12.0), nothing else.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be an integer")
    return value


def _json_boolean(value: object) -> object:
    # Not StrictBool: Litestar validates bodies with strict=False, which
    # overrides a field's own strictness; a validator runs whatever the mode.
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be true or false")
    return value


def _json_date(value: object) -> object:
    # Lax mode would read a number as a Unix timestamp; a date is "YYYY-MM-DD".
    if isinstance(value, str) or type(value) is dt.date:
        return value
    raise PydanticCustomError("date_type", "Input should be a date, YYYY-MM-DD")


def _json_datetime(value: object) -> object:
    # Lax mode would read a number as a Unix timestamp; a date-time is RFC 3339 text.
    if isinstance(value, str | dt.datetime):
        return value
    raise PydanticCustomError("datetime_type", "Input should be a date-time, RFC 3339")


# Request body fields exactly as their JSON Schema types (see RequestBody): what
# the document calls an integer, a boolean or a date is all they accept.
JsonInt = Annotated[int, BeforeValidator(_json_integer)]
JsonBool = Annotated[bool, BeforeValidator(_json_boolean)]
JsonDate = Annotated[dt.date, BeforeValidator(_json_date)]
JsonDateTime = Annotated[AwareDatetime, BeforeValidator(_json_datetime)]


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid")

    items: list[T]
    total: int
    limit: int
    offset: int
