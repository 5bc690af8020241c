"""The rules: which messages an event causes, in which language, with which
link, and never with a personal code."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from edu_contracts.applications import (
    ApplicationStatus,
    IncidentReportedPayload,
    StatusChangedPayload,
)
from edu_contracts.documents import DocumentKind, Language, RenderedPayload
from edu_contracts.notifications import MessageKind
from edu_notifications.domain import messages as rules
from edu_notifications.domain.delivery import DeliveryState, RetryPolicy, after_failure
from edu_notifications.domain.texts import TEXTS
from edu_retention.domain.rules import application_purge_date
from edu_tools import testing

APP = uuid.UUID("00000000-0000-4000-8000-000000000001")
PORTAL = "https://portal.example.lv/"
AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def change(
    to: ApplicationStatus,
    *,
    version: int = 3,
    email: str | None = "parent@example.lv",
    language: Language | None = None,
    reason: str | None = None,
    until: dt.date | None = None,
) -> StatusChangedPayload:
    """A staff member's change of application APP (of inst-1), as applications
    announces it."""
    return testing.status_changed(
        APP,
        version,
        to,
        application_reference="IR-7K3M-Q9TX",
        changed_at=AT,
        contact_email=email,
        language=language,
        reason=reason,
        postponed_until=until,
    ).payload


def test_every_kind_has_both_languages() -> None:
    for kind in MessageKind:
        assert set(TEXTS[kind]) == {Language.LV, Language.EN}


def test_submitted_is_in_latvian_by_default_with_the_number_and_the_link() -> None:
    [m] = rules.on_status_change(change(ApplicationStatus.SUBMITTED), PORTAL)
    assert m.kind is MessageKind.SUBMITTED
    assert m.language is Language.LV
    assert m.to == "parent@example.lv"
    assert "IR-7K3M-Q9TX" in m.subject
    assert "iesniegts" in m.subject
    assert m.link == f"https://portal.example.lv/pieteikumi/{APP}"
    assert m.link in m.text
    assert f'href="{m.link}"' in m.html
    assert m.key == f"submitted:{APP}:v3"


def test_an_application_made_in_english_is_told_in_english() -> None:
    [m] = rules.on_status_change(change(ApplicationStatus.GRANTED, language=Language.EN), PORTAL)
    assert m.subject == "Application IR-7K3M-Q9TX has been granted"
    assert m.link.endswith("?lang=en")
    assert '<html lang="en">' in m.html


def test_refusal_carries_the_reason_with_personal_codes_masked_and_escaped_in_html() -> None:
    m, _notice = rules.on_status_change(
        change(ApplicationStatus.REFUSED, reason="Bērns 010190-12345 nav <reģistrā>"), PORTAL
    )
    assert "010190-12345" not in m.text
    assert "010190-12345" not in m.html
    assert "Iemesls: Bērns" in m.text
    assert "&lt;reģistrā&gt;" in m.html
    kinds = [x.kind for x in rules.on_status_change(change(ApplicationStatus.REFUSED), PORTAL)]
    assert kinds == [MessageKind.REFUSED, MessageKind.DELETION_NOTICE]


def test_postponement_says_until_when_in_each_language() -> None:
    until = dt.date(2026, 4, 1)
    [lv] = rules.on_status_change(change(ApplicationStatus.POSTPONED, until=until), PORTAL)
    [en] = rules.on_status_change(
        change(ApplicationStatus.POSTPONED, until=until, language=Language.EN), PORTAL
    )
    assert "līdz 01.04.2026." in lv.text
    assert "until 1 April 2026" in en.text


def test_ready_for_issue_says_what_to_bring() -> None:
    [m] = rules.on_status_change(change(ApplicationStatus.READY_FOR_ISSUE), PORTAL)
    assert "tālruni vai planšetdatoru" in m.text


def test_nothing_before_a_contact_address_and_nothing_for_drafts() -> None:
    assert rules.on_status_change(change(ApplicationStatus.SUBMITTED, email=None), PORTAL) == []
    assert rules.on_status_change(change(ApplicationStatus.DRAFT), PORTAL) == []
    assert rules.on_status_change(change(ApplicationStatus.ISSUED), PORTAL) == []


def test_deletion_notice_goes_a_month_before_retention_deletes() -> None:
    notice = rules.on_status_change(change(ApplicationStatus.RETURNED), PORTAL)[-1]
    assert notice.kind is MessageKind.DELETION_NOTICE
    deleted_on = application_purge_date(dt.date(2026, 3, 2))
    assert deleted_on == dt.date(2028, 4, 2)
    assert "02.04.2028." in notice.text
    assert notice.not_before == dt.datetime(2028, 3, 1, 22, 0, tzinfo=dt.UTC)  # Riga midnight
    for day in (dt.date(2024, 1, 31), dt.date(2023, 12, 31), dt.date(2026, 2, 28)):
        assert rules.deletion_date(day) == application_purge_date(day)


def test_acts_link_to_the_document() -> None:
    doc = uuid.uuid4()
    rendered = RenderedPayload(
        document_id=doc,
        number="A-1",
        kind=DocumentKind.HANDOVER_ACT,
        application_id=APP,
        sha256="0" * 64,
        size_bytes=10,
        rendered_at=AT,
    )
    to = rules.Recipient(
        application_id=APP, reference="IR-1", email="a@b.lv", language=Language.LV, version=5
    )
    [m] = rules.on_document_rendered(rendered, to, PORTAL)
    assert m.kind is MessageKind.HANDOVER_ACT_READY
    assert m.link == f"https://portal.example.lv/pieteikumi/{APP}/dokumenti/{doc}"
    printout = rendered.model_copy(update={"kind": DocumentKind.MY_DATA_PRINTOUT})
    assert rules.on_document_rendered(printout, to, PORTAL) == []


@pytest.mark.parametrize(
    ("attempts", "permanent", "state"),
    [
        (1, False, DeliveryState.RETRYING),
        (2, False, DeliveryState.RETRYING),
        (3, False, DeliveryState.FAILED),
        (1, True, DeliveryState.FAILED),
    ],
)
def test_failed_tries_back_off_then_fail(
    attempts: int, permanent: bool, state: DeliveryState
) -> None:
    policy = RetryPolicy(3, dt.timedelta(seconds=10), dt.timedelta(seconds=15))
    outcome = after_failure(attempts, policy, AT, permanent=permanent)
    assert outcome.state is state
    if state is DeliveryState.RETRYING:
        assert outcome.next_attempt_at == AT + min(
            dt.timedelta(seconds=10 * 2 ** (attempts - 1)), dt.timedelta(seconds=15)
        )


def test_a_loss_report_is_acknowledged_once_per_incident() -> None:
    incident = uuid.uuid4()
    report = IncidentReportedPayload(
        application_id=APP,
        application_reference="IR-7K3M-Q9TX",
        incident_id=incident,
        kind="stolen",
        reported_at=AT,
        version=9,
        contact_email="parent@example.lv",
        language=Language.EN,
    )
    [m] = rules.on_incident_reported(report, PORTAL)
    assert m.kind is MessageKind.LOSS_REPORTED
    assert m.key == f"loss_reported:{incident}"
    assert m.subject == "Report received: application IR-7K3M-Q9TX"
    no_address = report.model_copy(update={"contact_email": None})
    assert rules.on_incident_reported(no_address, PORTAL) == []
