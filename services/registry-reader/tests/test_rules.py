"""Pure rules: ages, representation validity, the Riga calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from edu_registry_reader.domain import rules
from edu_registry_reader.domain.records import (
    PersonRecord,
    RepresentationKind,
    RepresentationRecord,
    RepresentationSource,
)

PARENT, CHILD = "010180-10018", "290208-20006"


def test_leap_day_children_come_of_age_on_1_march() -> None:
    birth = dt.date(2008, 2, 29)
    assert rules.adulthood_date(birth) == dt.date(2026, 3, 1)
    assert rules.is_minor(birth, dt.date(2026, 2, 28))
    assert not rules.is_minor(birth, dt.date(2026, 3, 1))
    assert not rules.is_minor(None, dt.date(2026, 3, 1))  # unknown: never a minor


def test_request_date_is_the_riga_date() -> None:
    late_evening_utc = dt.datetime(2026, 3, 14, 22, 30, tzinfo=dt.UTC)
    assert rules.today_in_latvia(late_evening_utc) == dt.date(2026, 3, 15)


def relation(
    basis: RepresentationKind, start: dt.date, end: dt.date | None
) -> RepresentationRecord:
    return RepresentationRecord(
        representative_code=PARENT,
        represented_code=CHILD,
        basis=basis,
        source=RepresentationSource.ORPHANS_COURT,
        valid_from=start,
        valid_to=end,
    )


def test_minor_child_relation_ends_the_day_before_the_18th_birthday() -> None:
    birth = dt.date(2008, 2, 29)
    rel = relation(RepresentationKind.MINOR_CHILD, birth, None)
    assert rules.representation_valid_until(rel, birth) == dt.date(2026, 2, 28)
    assert rules.representation_valid_on(rel, birth, dt.date(2026, 2, 28))
    assert not rules.representation_valid_on(rel, birth, dt.date(2026, 3, 1))
    assert not rules.representation_valid_on(rel, None, dt.date(2020, 1, 1))


def test_court_relations_are_valid_inside_their_period_only() -> None:
    rel = relation(RepresentationKind.GUARDIANSHIP, dt.date(2024, 1, 10), dt.date(2025, 6, 30))
    assert not rules.representation_valid_on(rel, None, dt.date(2024, 1, 9))
    assert rules.representation_valid_on(rel, None, dt.date(2024, 1, 10))
    assert rules.representation_valid_on(rel, None, dt.date(2025, 6, 30))
    assert not rules.representation_valid_on(rel, None, dt.date(2025, 7, 1))
    open_custody = relation(RepresentationKind.CUSTODY, dt.date(2020, 1, 1), None)
    assert rules.representation_valid_on(open_custody, dt.date(1990, 1, 1), dt.date(2040, 1, 1))


def test_strongest_basis_wins() -> None:
    birth = dt.date(2015, 5, 5)
    both = [
        relation(RepresentationKind.CUSTODY, dt.date(2020, 1, 1), None),
        relation(RepresentationKind.MINOR_CHILD, birth, None),
    ]
    chosen = rules.valid_basis(both, birth, dt.date(2026, 1, 1))
    assert chosen is not None
    assert chosen.basis is RepresentationKind.MINOR_CHILD


def test_person_birth_date_must_match_an_old_format_code() -> None:
    person = PersonRecord(personal_code="010180-10018", given_name="A", family_name="B")
    assert person.birth_date == dt.date(1980, 1, 1)
    with pytest.raises(ValueError, match="birth_date differs"):
        PersonRecord(
            personal_code="010180-10018",
            given_name="A",
            family_name="B",
            birth_date=dt.date(1980, 1, 2),
        )
