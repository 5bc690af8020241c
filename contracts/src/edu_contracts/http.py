"""Shapes every HTTP API shares: the error body, the strict request body, pagination."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer. ``reason`` is machine-readable and stable."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(examples=["terms_not_accepted"])
    detail: str = Field(examples=["Accept the terms of use first."])
    extra: dict[str, Any] | None = None


class RequestBody(BaseModel):
    """Base of every HTTP request body: a field the model does not declare is a
    422 naming it (``unknown_field``), never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid")

    items: list[T]
    total: int
    limit: int
    offset: int
