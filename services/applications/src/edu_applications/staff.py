"""What the staff's use cases share: the institution whose data they work on,
and the 404 for what it does not have."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from edu_runtime.auth import Identity
from edu_runtime.errors import ApiError

T = TypeVar("T")


def utc_now() -> dt.datetime:
    """The use cases' clock unless a test gives another."""
    return dt.datetime.now(dt.UTC)


def institution_of(identity: Identity) -> str:
    """The staff member's institution; 403 ``staff_only`` for anyone else."""
    if not identity.institution_id:
        raise ApiError(403, "staff_only", "This endpoint is for staff of an education institution.")
    return identity.institution_id


def found(value: T | None, code: str, message: str) -> T:
    """``value``, or a 404 ``code`` when there is none."""
    if value is None:
        raise ApiError(404, code, message)
    return value
