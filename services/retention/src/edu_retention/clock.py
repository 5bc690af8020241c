"""Where retention gets the time from. Injected (``create_app(clock=...)``) so
tests can move 25 months forward without waiting 25 months."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = self._aware(start)

    @staticmethod
    def _aware(value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")
        return value.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, value: dt.datetime) -> None:
        self._now = self._aware(value)

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta
