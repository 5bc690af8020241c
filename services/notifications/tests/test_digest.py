"""The daily digest's rules: which Riga day a submission belongs to, when the
digest goes (07:00 Riga time the next morning, summer or winter), what it
says, and that it never names a person."""

from __future__ import annotations

import datetime as dt
import uuid

from edu_contracts.applications import ActorRole, ApplicationStatus, StatusChangedPayload
from edu_contracts.documents import Language
from edu_contracts.lending import LendingSettingsPayload
from edu_contracts.notifications import MessageKind
from edu_notifications.domain import digest as rules
from edu_tools import testing

PORTAL = "https://portal.example.lv/"
SCHOOL = "inst-1"


def change(
    to: ApplicationStatus = ApplicationStatus.SUBMITTED,
    *,
    at: dt.datetime = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
    reference: str | None = "IR-7K3M-Q9TX",
    institution_id: str | None = SCHOOL,
) -> StatusChangedPayload:
    """The system's change of a new application of ``institution_id``."""
    return testing.status_changed(
        uuid.uuid4(),
        3,
        to,
        application_reference=reference,
        institution_id=institution_id,
        from_status=ApplicationStatus.BEING_VERIFIED,
        changed_at=at,
        actor_role=ActorRole.SYSTEM,
        contact_email="parent@example.lv",
    ).payload


def contact(
    email: str | None = "pieteikumi@skola.lv", version: int = 1
) -> rules.InstitutionContact:
    return rules.InstitutionContact(institution_id=SCHOOL, email=email, version=version)


def test_a_summer_evening_at_21_30_utc_is_already_the_next_riga_day() -> None:
    # 21:30 UTC on 14 July is 00:30 on 15 July in Riga (UTC+3, summer time).
    late = dt.datetime(2026, 7, 14, 21, 30, tzinfo=dt.UTC)
    assert rules.digest_day(late) == dt.date(2026, 7, 15)
    assert rules.digest_day(late - dt.timedelta(minutes=31)) == dt.date(2026, 7, 14)
    # In winter (UTC+2) the day turns at 22:00 UTC.
    assert rules.digest_day(dt.datetime(2026, 1, 14, 21, 59, tzinfo=dt.UTC)) == dt.date(2026, 1, 14)
    assert rules.digest_day(dt.datetime(2026, 1, 14, 22, 0, tzinfo=dt.UTC)) == dt.date(2026, 1, 15)
    submission = rules.submission_of(change(at=late))
    assert submission is not None
    assert submission.day == dt.date(2026, 7, 15)


def test_the_digest_goes_at_seven_riga_time_the_next_morning() -> None:
    # Summer: 07:00 EEST is 04:00 UTC; winter: 07:00 EET is 05:00 UTC.
    assert rules.digest_due(dt.date(2026, 7, 15)) == dt.datetime(2026, 7, 16, 4, 0, tzinfo=dt.UTC)
    assert rules.digest_due(dt.date(2026, 1, 14)) == dt.datetime(2026, 1, 15, 5, 0, tzinfo=dt.UTC)
    # The night the clocks go forward (29 March 2026) and back (25 October 2026).
    assert rules.digest_due(dt.date(2026, 3, 28)) == dt.datetime(2026, 3, 29, 4, 0, tzinfo=dt.UTC)
    assert rules.digest_due(dt.date(2026, 10, 24)) == dt.datetime(2026, 10, 25, 5, 0, tzinfo=dt.UTC)
    # The last day of a month and of a year.
    assert rules.digest_due(dt.date(2026, 12, 31)) == dt.datetime(2027, 1, 1, 5, 0, tzinfo=dt.UTC)


def test_only_a_submission_with_an_institution_counts() -> None:
    assert rules.submission_of(change(ApplicationStatus.GRANTED)) is None
    assert rules.submission_of(change(ApplicationStatus.BEING_VERIFIED)) is None
    assert rules.submission_of(change(institution_id=None)) is None
    assert rules.submission_of(change()) is not None


def test_the_digest_counts_each_application_once_and_links_to_the_staff_inbox() -> None:
    day = dt.date(2026, 3, 2)
    first, second = change(reference="IR-AAAA-BBBB"), change(reference=None)
    subs = [rules.submission_of(c) for c in (first, second, first)]
    other_day = rules.submission_of(change(at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)))
    m = rules.daily_digest(contact(), day, [s for s in [*subs, other_day] if s], PORTAL)
    assert m is not None
    assert m.kind is MessageKind.DAILY_DIGEST
    assert m.key == f"daily_digest:{SCHOOL}:2026-03-02"
    assert m.application_id is None
    assert m.institution_id == SCHOOL
    assert m.to == "pieteikumi@skola.lv"
    assert m.language is Language.LV
    assert m.subject == "Jauni pieteikumi 02.03.2026.: 2"
    assert "Pieteikumu numuri: IR-AAAA-BBBB, (bez numura)." in m.text
    assert m.link == "https://portal.example.lv/skola/?statuss=submitted"
    assert m.link in m.text
    assert m.not_before == dt.datetime(2026, 3, 3, 5, 0, tzinfo=dt.UTC)


def test_the_digest_in_english() -> None:
    day = dt.date(2026, 3, 2)
    s = rules.submission_of(change())
    assert s is not None
    m = rules.daily_digest(contact(), day, [s], PORTAL, Language.EN)
    assert m is not None
    assert m.subject == "New applications on 2 March 2026: 1"
    assert "Application numbers: IR-7K3M-Q9TX." in m.text
    assert m.link == "https://portal.example.lv/skola/?statuss=submitted&lang=en"


def test_no_digest_without_an_address_or_without_submissions() -> None:
    day = dt.date(2026, 3, 2)
    s = rules.submission_of(change())
    assert s is not None
    assert rules.daily_digest(contact(None), day, [s], PORTAL) is None
    assert rules.daily_digest(contact(), day, [], PORTAL) is None


def test_a_reference_shaped_like_a_personal_code_is_masked() -> None:
    # Application numbers never look like this, but the last pass masks anything that does.
    s = rules.submission_of(change(reference="010101-10006"))
    assert s is not None
    m = rules.daily_digest(contact(), dt.date(2026, 3, 2), [s], PORTAL)
    assert m is not None
    assert "010101-10006" not in m.text + m.html + m.subject


def test_the_newest_settings_give_the_address() -> None:
    settings = LendingSettingsPayload(
        institution_id=SCHOOL,
        version=4,
        accepting_applications=True,
        contact_email="pieteikumi@skola.lv",
        changed_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
    )
    incoming = rules.contact_of(settings)
    assert incoming == contact(version=4)
    assert rules.supersedes(None, incoming)
    assert rules.supersedes(contact(version=3), incoming)
    assert not rules.supersedes(contact(version=4), incoming)
    assert not rules.supersedes(contact(version=5), incoming)
    blank = settings.model_copy(update={"contact_email": ""})
    assert rules.contact_of(blank).email is None
