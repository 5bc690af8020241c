"""Dates on the pages are Riga's dates, in summer (UTC+3) as in winter (UTC+2),
the same day the staff exports write (``tests/test_same_day_on_page_and_export.py``
checks the export against the page); dates, times and money are Babel's, in
Latvian and English."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from edu_portal.web.i18n import Lang, set_lang
from edu_portal.web.templates import _date, _datetime, _money, build_environment

SUMMER_LATE = dt.datetime(2026, 7, 14, 21, 30, tzinfo=dt.UTC)  # 00:30 on 15 July in Riga
WINTER_LATE = dt.datetime(2026, 1, 14, 21, 30, tzinfo=dt.UTC)  # 23:30 on 14 January in Riga


@pytest.fixture(autouse=True)
def latvian_afterwards() -> Iterator[None]:
    yield
    set_lang(Lang.LV)


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        # 21:30 UTC in July is 00:30 the next day in Riga (UTC+3).
        (SUMMER_LATE, "15.07.2026."),
        # 21:30 UTC in January is still 23:30 the same day (UTC+2).
        (WINTER_LATE, "14.01.2026."),
        # ... and 22:30 UTC in January is past Riga's midnight.
        (dt.datetime(2026, 1, 14, 22, 30, tzinfo=dt.UTC), "15.01.2026."),
        ("2026-07-14T21:30:00+00:00", "15.07.2026."),
        ("2026-07-14T21:30:00Z", "15.07.2026."),
        (dt.date(2026, 7, 14), "14.07.2026."),
        ("2026-07-14", "14.07.2026."),
        (None, ""),
        ("", ""),
    ],
)
def test_dates_are_riga_dates(instant: dt.datetime | dt.date | str | None, shown: str) -> None:
    set_lang(Lang.LV)
    assert _date(instant) == shown


@pytest.mark.parametrize(
    ("instant", "lang", "shown"),
    [
        (SUMMER_LATE, Lang.LV, "15.07.2026."),
        (SUMMER_LATE, Lang.EN, "15 Jul 2026"),
        (WINTER_LATE, Lang.LV, "14.01.2026."),
        (WINTER_LATE, Lang.EN, "14 Jan 2026"),
    ],
)
def test_the_date_filter_of_the_templates(instant: dt.datetime, lang: Lang, shown: str) -> None:
    """What a page renders with ``{{ at | date }}``."""
    set_lang(lang)
    assert build_environment().from_string("{{ at | date }}").render(at=instant) == shown


def test_date_and_time_agree_across_midnight_in_summer() -> None:
    set_lang(Lang.EN)
    assert _datetime(SUMMER_LATE) == "15 Jul 2026 00:30"
    set_lang(Lang.LV)
    assert _datetime(SUMMER_LATE) == "15.07.2026. 00:30"
    assert _datetime("2026-07-14T21:30:00+00:00") == "15.07.2026. 00:30"


def test_date_and_time_in_winter() -> None:
    set_lang(Lang.LV)
    assert _datetime(WINTER_LATE) == "14.01.2026. 23:30"
    set_lang(Lang.EN)
    assert _datetime(WINTER_LATE) == "14 Jan 2026 23:30"
    assert build_environment().from_string("{{ at | datetime }}").render(at=WINTER_LATE) == (
        "14 Jan 2026 23:30"
    )


def test_a_naive_instant_is_utc() -> None:
    set_lang(Lang.LV)
    assert _datetime(dt.datetime(2026, 7, 14, 21, 30)) == "15.07.2026. 00:30"


@pytest.mark.parametrize(
    ("amount", "lang", "shown"),
    [
        (Decimal("1234.5"), Lang.LV, "1\u00a0234,50\u00a0EUR"),
        (Decimal("1234.5"), Lang.EN, "1,234.50\u00a0EUR"),
        ("75", Lang.LV, "75,00\u00a0EUR"),
        (0.1, Lang.EN, "0.10\u00a0EUR"),
        (None, Lang.LV, ""),
    ],
)
def test_money_in_euros(amount: Decimal | str | float | None, lang: Lang, shown: str) -> None:
    set_lang(lang)
    assert _money(amount) == shown
