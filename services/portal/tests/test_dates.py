"""Dates on the pages are Riga's dates, in summer (UTC+3) as in winter (UTC+2),
the same day the staff exports write."""

from __future__ import annotations

import datetime as dt

import pytest
from edu_portal.web.i18n import Lang, set_lang
from edu_portal.web.templates import _date, _datetime


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        # 21:30 UTC in July is 00:30 the next day in Riga (UTC+3).
        (dt.datetime(2026, 7, 14, 21, 30, tzinfo=dt.UTC), "15.07.2026."),
        # 21:30 UTC in January is still 23:30 the same day (UTC+2).
        (dt.datetime(2026, 1, 14, 21, 30, tzinfo=dt.UTC), "14.01.2026."),
        ("2026-07-14T21:30:00+00:00", "15.07.2026."),
        (dt.date(2026, 7, 14), "14.07.2026."),
    ],
)
def test_dates_are_riga_dates(instant: dt.datetime | dt.date | str, shown: str) -> None:
    set_lang(Lang.LV)
    assert _date(instant) == shown


def test_date_and_time_agree_across_midnight_in_summer() -> None:
    set_lang(Lang.EN)
    assert _datetime(dt.datetime(2026, 7, 14, 21, 30, tzinfo=dt.UTC)) == "15 Jul 2026 00:30"
