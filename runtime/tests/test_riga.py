"""The shared Latvian calendar: Riga dates and ages."""

from __future__ import annotations

import datetime as dt

import pytest
from edu_runtime.riga import adulthood_date, age_on, riga_date, start_of_riga_day, today_in_latvia


def test_late_evening_utc_is_already_the_next_day_in_riga() -> None:
    assert riga_date(dt.datetime(2026, 3, 14, 22, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 15)
    assert today_in_latvia(dt.datetime(2026, 3, 14, 21, 59, tzinfo=dt.UTC)) == dt.date(2026, 3, 14)


def test_riga_midnight_follows_daylight_saving() -> None:
    assert start_of_riga_day(dt.date(2026, 1, 15)) == dt.datetime(2026, 1, 14, 22, tzinfo=dt.UTC)
    assert start_of_riga_day(dt.date(2026, 7, 15)) == dt.datetime(2026, 7, 14, 21, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
        (dt.date(2008, 5, 10), dt.date(2026, 5, 9), 17),
        (dt.date(2008, 5, 10), dt.date(2026, 5, 10), 18),
    ],
)
def test_age_counts_completed_years(birth: dt.date, on: dt.date, age: int) -> None:
    assert age_on(birth, on) == age


@pytest.mark.parametrize(
    "birth", [dt.date(2008, 2, 29), dt.date(2007, 12, 31), dt.date(2010, 1, 1)]
)
def test_age_and_adulthood_date_agree(birth: dt.date) -> None:
    adult = adulthood_date(birth)
    assert age_on(birth, adult) == 18
    assert age_on(birth, adult - dt.timedelta(days=1)) == 17
