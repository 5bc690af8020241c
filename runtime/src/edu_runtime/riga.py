"""Latvian calendar conventions every service shares: the date in Riga and a
person's age. One home, so "today" and "18 years old" mean the same thing in
the register, the applications, the documents and retention.

Pure functions (no I/O, no hidden clock unless asked for "now"): domain code
may import this module.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

RIGA = ZoneInfo("Europe/Riga")
ADULT_AGE = 18


def riga_date(instant: dt.datetime) -> dt.date:
    """The calendar date in Riga at ``instant`` (22:30 UTC on 15 March is 16 March)."""
    return instant.astimezone(RIGA).date()


def today_in_latvia(now: dt.datetime | None = None) -> dt.date:
    """The request date: a child's 18th birthday starts at midnight in Riga, not UTC.
    Without ``now``, the system clock."""
    return riga_date(now if now is not None else dt.datetime.now(dt.UTC))


def start_of_riga_day(day: dt.date) -> dt.datetime:
    """00:00 Riga time on ``day``, as a UTC instant (DST handled by zoneinfo)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=RIGA).astimezone(dt.UTC)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Completed years on ``on``; someone born on 29 February turns a year older on
    1 March in common years (consistent with ``adulthood_date``)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def adulthood_date(birth: dt.date) -> dt.date:
    """The 18th birthday; someone born on 29 February comes of age on 1 March."""
    try:
        return birth.replace(year=birth.year + ADULT_AGE)
    except ValueError:
        return dt.date(birth.year + ADULT_AGE, 3, 1)
