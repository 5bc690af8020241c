"""The date and retry rules, and the deadline's state transitions (pure)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from edu_contracts.retention import PurgeSubjectKind
from edu_contracts.services import ServiceName
from edu_retention.domain.model import (
    Deadline,
    DeadlineState,
    RetryPolicy,
    new_application_deadline,
    new_document_deadline,
)
from edu_retention.domain.rules import (
    add_months_clamped,
    application_purge_date,
    closing_date,
    printout_purge_at,
    retry_delay,
    start_of_riga_day,
)

D = dt.date
UTC = dt.UTC


@pytest.mark.parametrize(
    ("closed", "purge"),
    [
        (D(2024, 1, 31), D(2026, 2, 28)),  # the example: clamped to February's end
        (D(2023, 1, 31), D(2025, 2, 28)),
        (D(2025, 1, 29), D(2027, 2, 28)),  # 2027 is not a leap year
        (D(2025, 11, 29), D(2027, 12, 29)),
        (D(2022, 1, 31), D(2024, 2, 29)),  # ... 2024 is
        (D(2024, 1, 15), D(2026, 2, 15)),
        (D(2024, 5, 31), D(2026, 6, 30)),
        (D(2024, 12, 31), D(2027, 1, 31)),  # crosses two year ends
        (D(2024, 11, 30), D(2026, 12, 30)),
        (D(2024, 2, 29), D(2026, 3, 29)),
    ],
)
def test_purge_date_is_25_calendar_months_later_clamped_to_month_end(
    closed: dt.date, purge: dt.date
) -> None:
    assert application_purge_date(closed) == purge


def test_add_months_handles_zero_and_many_years() -> None:
    assert add_months_clamped(D(2024, 3, 31), 0) == D(2024, 3, 31)
    assert add_months_clamped(D(2024, 3, 31), 1) == D(2024, 4, 30)
    assert add_months_clamped(D(2024, 3, 31), 120) == D(2034, 3, 31)


def test_closing_date_is_the_riga_calendar_date_unless_an_effective_date_is_given() -> None:
    # 22:30 UTC on 15 March is already 16 March in Riga (UTC+2 in winter).
    late = dt.datetime(2024, 3, 15, 22, 30, tzinfo=UTC)
    assert closing_date(late, None) == D(2024, 3, 16)
    # Summer time (UTC+3): 21:00 UTC is midnight in Riga.
    assert closing_date(dt.datetime(2024, 7, 1, 20, 59, tzinfo=UTC), None) == D(2024, 7, 1)
    assert closing_date(dt.datetime(2024, 7, 1, 21, 0, tzinfo=UTC), None) == D(2024, 7, 2)
    assert closing_date(late, D(2024, 3, 1)) == D(2024, 3, 1)


def test_purge_starts_at_riga_midnight() -> None:
    assert start_of_riga_day(D(2026, 2, 28)) == dt.datetime(2026, 2, 27, 22, 0, tzinfo=UTC)
    assert start_of_riga_day(D(2026, 7, 1)) == dt.datetime(2026, 6, 30, 21, 0, tzinfo=UTC)


def test_printouts_live_24_hours() -> None:
    rendered = dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC)
    assert printout_purge_at(rendered) == dt.datetime(2026, 3, 29, 10, 0, tzinfo=UTC)


def test_retry_delay_doubles_and_is_capped() -> None:
    h = dt.timedelta(hours=1)
    assert [retry_delay(a, h, 10 * h) for a in (1, 2, 3, 4, 5, 60)] == [
        h,
        2 * h,
        4 * h,
        8 * h,
        10 * h,
        10 * h,
    ]
    with pytest.raises(ValueError, match="attempt"):
        retry_delay(0, h, h)


NOW = dt.datetime(2026, 3, 1, tzinfo=UTC)
POLICY = RetryPolicy(initial=dt.timedelta(hours=1), maximum=dt.timedelta(days=1))


def scheduled(held: bool = False) -> Deadline:
    return new_application_deadline(
        "a1",
        due_at=NOW - dt.timedelta(days=1),
        closed_on=D(2024, 1, 31),
        status="returned",
        source=5,
        held=held,
    )


def test_deadline_lifecycle_order_retry_confirm() -> None:
    d = scheduled()
    assert d.sweep_at == d.due_at
    first = d.order(now=NOW, order_id=uuid.uuid4(), policy=POLICY)
    assert (first.state, first.attempt) == (DeadlineState.ORDERED, 1)
    assert first.sweep_at == NOW + dt.timedelta(hours=1)
    retry = first.order(now=NOW + dt.timedelta(hours=1), order_id=uuid.uuid4(), policy=POLICY)
    assert retry.order_id == first.order_id  # the same order, attempt 2
    assert retry.attempt == 2
    assert retry.next_attempt_at == NOW + dt.timedelta(hours=3)
    half = retry.confirm(ServiceName.DOCUMENTS, now=NOW)
    assert half.state is DeadlineState.ORDERED
    assert half.missing_owners == (ServiceName.APPLICATIONS,)
    assert half.confirm(ServiceName.DOCUMENTS, now=NOW) is half  # duplicate: no change
    assert half.confirm(ServiceName.REGISTRY_READER, now=NOW) is half  # not an owner
    done = half.confirm(ServiceName.APPLICATIONS, now=NOW)
    assert done.state is DeadlineState.PURGED
    assert done.sweep_at is None
    assert done.version == d.version + 4


def test_reopen_cancels_and_a_new_closing_reschedules_but_not_once_ordered() -> None:
    d = scheduled()
    cancelled = d.cancel(source=6)
    assert cancelled.state is DeadlineState.CANCELLED
    assert cancelled.sweep_at is None
    again = cancelled.reschedule(due_at=NOW, closed_on=D(2024, 2, 1), status="refused", source=7)
    assert again.state is DeadlineState.SCHEDULED
    assert again.sweep_at == NOW
    ordered = again.order(now=NOW, order_id=uuid.uuid4(), policy=POLICY)
    assert ordered.cancel(source=8) is ordered
    assert ordered.reschedule(due_at=NOW, closed_on=None, status="x", source=9) is ordered


def test_hold_removes_the_deadline_from_the_sweep_and_release_restores_it() -> None:
    d = scheduled(held=True)
    assert d.sweep_at is None
    assert d.with_hold(False).sweep_at == d.due_at
    ordered = scheduled().order(now=NOW, order_id=uuid.uuid4(), policy=POLICY)
    assert ordered.with_hold(True).sweep_at is None  # retries stop too


def test_printout_deadline_has_documents_as_only_owner() -> None:
    d = new_document_deadline("doc", due_at=NOW, held=False)
    assert d.kind is PurgeSubjectKind.DOCUMENT
    assert d.owners == (ServiceName.DOCUMENTS,)
    assert d.key == "document:doc"


def test_sweep_key_never_makes_a_deadline_due_early() -> None:
    from edu_retention.adapters.store import now_key, sweep_key

    due = dt.datetime(2026, 2, 27, 22, 0, 0, 500, tzinfo=UTC)  # 0.5 ms past a millisecond
    assert sweep_key(due) > now_key(due - dt.timedelta(microseconds=1))
    assert sweep_key(due) <= now_key(due + dt.timedelta(microseconds=500))
    whole = dt.datetime(2026, 2, 27, 22, 0, tzinfo=UTC)
    assert sweep_key(whole) == now_key(whole) == 1_772_229_600_000
