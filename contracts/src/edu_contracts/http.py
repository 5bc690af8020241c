"""Shapes every HTTP API shares: the error body and pagination."""

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


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid")

    items: list[T]
    total: int
    limit: int
    offset: int
