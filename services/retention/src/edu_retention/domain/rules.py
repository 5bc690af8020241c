"""The retention rules as pure functions: how long things are kept and how
often an unconfirmed purge is ordered again.

Seeds part B §5: after the resource is returned the application and its
documents stay available for 25 months and are then deleted; refused
applications after the same term. Dates are Latvian calendar dates
(Europe/Riga), because "25 months after the return" is a date a person in
Riga would read off a calendar, not a UTC instant.
"""

from __future__ import annotations

import calendar
import datetime as dt

# The Riga calendar is shared by every service; re-exported for retention's store.
from edu_runtime.riga import RIGA as RIGA  # noqa: PLC0414
from edu_runtime.riga import riga_date
from edu_runtime.riga import start_of_riga_day as start_of_riga_day  # noqa: PLC0414

RETENTION_MONTHS = 25
PRINTOUT_LIFETIME = dt.timedelta(hours=24)


def add_months_clamped(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; a day that does not exist in the
    target month becomes that month's last day (2024-01-31 + 25 → 2026-02-28)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def closing_date(changed_at: dt.datetime, effective_date: dt.date | None) -> dt.date:
    """The business date an application closed: the explicit effective date (e.g.
    the day the device was physically returned) or the Riga date of the change."""
    if effective_date is not None:
        return effective_date
    return riga_date(changed_at)


def application_purge_date(closed_on: dt.date) -> dt.date:
    """First day on which the application may no longer exist."""
    return add_months_clamped(closed_on, RETENTION_MONTHS)


def printout_purge_at(rendered_at: dt.datetime) -> dt.datetime:
    return rendered_at.astimezone(dt.UTC) + PRINTOUT_LIFETIME


def retry_delay(attempt: int, initial: dt.timedelta, maximum: dt.timedelta) -> dt.timedelta:
    """Wait after order ``attempt`` before ordering again: doubles each attempt,
    capped, so an owner that is down for days is not flooded."""
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    factor: int = 2 ** min(attempt - 1, 30)  # bounded exponent: no huge ints after long outages
    delay: dt.timedelta = initial * factor
    return min(delay, maximum)
