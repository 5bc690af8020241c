"""An application submitted at 21:30 UTC shows the same day on the staff
inbox page (the portal's ``date`` filter) and in the inbox's CSV export (the
applications service): Riga's day, UTC+3 in summer and UTC+2 in winter
(issue #20). No services needed: the page's filter and the export's row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from uuid import uuid4

import pytest
from edu_applications.adapters.exports import INBOX_HEADERS, inbox_row, to_csv
from edu_applications.domain import workflow
from edu_applications.domain.model import (
    SYSTEM,
    AcknowledgedDocument,
    Actor,
    Application,
    Contact,
    Offer,
    Person,
    RegisteredInstitution,
    Verdict,
)
from edu_contracts.applications import ActorRole, ApplicantRole
from edu_contracts.registry_api import ResourceTargetGroup
from edu_portal.web.i18n import Lang, set_lang
from edu_portal.web.templates import build_environment

CITIZEN = Actor(name="Līga Bērziņa", role=ActorRole.CITIZEN)
SCHOOL = RegisteredInstitution(
    institution_id="RIGA-1",
    name="Rīgas 1. vidusskola",
    accepting_applications=True,
    eligible_for_applications=True,
)
OFFER = Offer(
    offer_id="o1",
    institution_id="RIGA-1",
    resource_type="laptop",
    description="Lenovo 300e",
    target_group=ResourceTargetGroup.EVERYONE,
)
DOCS = [AcknowledgedDocument(code="handover_act", title="Akts", version="1")]


def submitted_at(at: dt.datetime) -> Application:
    app = workflow.start_draft(
        app_id=uuid4(),
        reference="IR-0000-0001",
        role=ApplicantRole.PARENT_OR_GUARDIAN,
        applicant=Person(personal_code="140386-11016", full_name="Līga Bērziņa"),
        learner=Person(personal_code="321234-56789", full_name="Jānis Bērziņš"),
        institutions=frozenset(),
        actor=CITIZEN,
        now=at,
    )
    app = workflow.choose_institution(app, SCHOOL, frozenset({"RIGA-1"}), at)
    app = workflow.set_social_status(app, False, None, at)
    app = workflow.choose_resource(app, [OFFER], "o1", at)
    app = workflow.acknowledge_documents(app, DOCS, [("handover_act", "1")], at)
    app = workflow.update_contact(app, Contact(phone="+37126123456", email="liga@example.lv"), at)
    request = uuid4()
    app = workflow.submit(app, CITIZEN, at, request)
    verdict = Verdict(request_event_id=request, eligible=True)
    result = workflow.apply_verdict(app, verdict, SYSTEM, at)
    assert result is not None
    return result


def exported_day(app: Application) -> dt.date:
    rows = list(
        csv.reader(io.StringIO(to_csv(INBOX_HEADERS, [inbox_row(app)]).decode("utf-8-sig")))
    )
    return dt.date.fromisoformat(rows[1][INBOX_HEADERS.index("Iesniegts")])


def page_text(at: dt.datetime, lang: Lang) -> str:
    set_lang(lang)
    try:
        return build_environment().from_string("{{ at | date }}").render(at=at)
    finally:
        set_lang(Lang.LV)


@pytest.mark.parametrize(
    ("at", "riga_day", "lv", "en"),
    [
        # Summer (UTC+3): 21:30 UTC on 14 July is 00:30 on 15 July in Riga.
        (
            dt.datetime(2026, 7, 14, 21, 30, tzinfo=dt.UTC),
            dt.date(2026, 7, 15),
            "15.07.2026.",
            "15 Jul 2026",
        ),
        # Winter (UTC+2): 21:30 UTC on 14 January is 23:30 the same day.
        (
            dt.datetime(2026, 1, 14, 21, 30, tzinfo=dt.UTC),
            dt.date(2026, 1, 14),
            "14.01.2026.",
            "14 Jan 2026",
        ),
        # Winter, past Riga's midnight: 22:30 UTC on 14 January is 00:30 on 15 January.
        (
            dt.datetime(2026, 1, 14, 22, 30, tzinfo=dt.UTC),
            dt.date(2026, 1, 15),
            "15.01.2026.",
            "15 Jan 2026",
        ),
    ],
)
def test_the_page_and_the_csv_export_show_the_same_day(
    at: dt.datetime, riga_day: dt.date, lv: str, en: str
) -> None:
    app = submitted_at(at)
    assert exported_day(app) == riga_day
    assert page_text(at, Lang.LV) == lv
    assert page_text(at, Lang.EN) == en
