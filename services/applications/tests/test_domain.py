"""The application state machine and wizard rules, without I/O."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from uuid import uuid4

import pytest
from edu_applications.adapters.http import REFUSALS
from edu_applications.domain import workflow
from edu_applications.domain.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    NotPermitted,
)
from edu_applications.domain.model import (
    SYSTEM,
    AcknowledgedDocument,
    Actor,
    Application,
    Contact,
    DecisionKind,
    IssuedItem,
    Offer,
    Person,
    RegisteredInstitution,
    Verdict,
)
from edu_applications.domain.reference import PATTERN, normalized, reference_from
from edu_applications.domain.statuses import LABELS, TRANSITIONS, ensure_transition, label
from edu_applications.service.events import status_event
from edu_contracts.applications import ActorRole, ApplicantRole, ReturnCondition
from edu_contracts.applications import ApplicationStatus as S
from edu_contracts.applications_api import IncidentKind, SocialGroup
from edu_contracts.documents import Language
from edu_contracts.registry import IneligibilityReason
from edu_contracts.registry_api import ResourceTargetGroup

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
PARENT = Person(personal_code="140386-11016", full_name="Līga Bērziņa")
CHILD = Person(personal_code="321234-56789", full_name="Jānis Bērziņš")
CITIZEN = Actor(name="Līga Bērziņa", role=ActorRole.CITIZEN)
STAFF = Actor(name="Ūna Šķēle", role=ActorRole.STAFF)


def institution(accepting: bool = True, eligible: bool = True) -> RegisteredInstitution:
    return RegisteredInstitution(
        institution_id="RIGA-1",
        name="Rīgas 1. vidusskola",
        accepting_applications=accepting,
        eligible_for_applications=eligible,
    )


def available(*institutions: RegisteredInstitution) -> frozenset[str]:
    return frozenset(i.institution_id for i in institutions)


OFFERS = [
    Offer(
        offer_id=offer_id,
        institution_id="RIGA-1",
        resource_type=resource_type,
        description=description,
        target_group=target_group,
    )
    for offer_id, resource_type, description, target_group in (
        ("o1", "laptop", "Klēpjdators", ResourceTargetGroup.EVERYONE),
        ("o2", "tablet", "Planšete", ResourceTargetGroup.SOCIALLY_SUPPORTED),
    )
]
DOCS = [AcknowledgedDocument(code="handover_act", title="Pieņemšanas-nodošanas akts", version="1")]


def draft(**changes: Any) -> Application:
    """A parent's new draft for their child (``changes``: other arguments)."""
    arguments: dict[str, Any] = {
        "app_id": uuid4(),
        "reference": "IR-0000-0001",
        "role": ApplicantRole.PARENT_OR_GUARDIAN,
        "applicant": PARENT,
        "learner": CHILD,
        "institutions": frozenset(),
        "actor": CITIZEN,
        "now": NOW,
    }
    return workflow.start_draft(**{**arguments, **changes})


def complete_draft() -> Application:
    app = workflow.choose_institution(draft(), institution(), available(institution()), NOW)
    app = workflow.set_social_status(app, False, None, NOW)
    app = workflow.choose_resource(app, OFFERS, "o1", NOW)
    app = workflow.acknowledge_documents(app, DOCS, [("handover_act", "1")], NOW)
    return workflow.update_contact(app, Contact(phone="+37126123456", email="liga@example.lv"), NOW)


def submitted() -> Application:
    request = uuid4()
    app = workflow.submit(complete_draft(), CITIZEN, NOW, request)
    verdict = Verdict(request_event_id=request, eligible=True)
    result = workflow.apply_verdict(app, verdict, SYSTEM, NOW)
    assert result is not None
    return result


def test_every_status_has_latvian_and_english_labels() -> None:
    assert set(LABELS) == set(S)
    assert label(S.READY_FOR_ISSUE) == "Gatavs izsniegšanai"
    assert label(S.READY_FOR_ISSUE, Language.EN) == "Ready for issue"


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_transition_table_is_enforced(current: S, target: S) -> None:
    if target in TRANSITIONS[current]:
        ensure_transition(current, target)
    else:
        with pytest.raises(IllegalTransition) as err:
            ensure_transition(current, target)
        assert REFUSALS[type(err.value)] == 409  # the HTTP adapter's one mapping
        assert err.value.extra == {
            "current_status": current.value,
            "current_status_label": label(current),
        }


def test_closed_statuses_are_final() -> None:
    for closed in (S.RETURNED, S.REFUSED, S.REJECTED, S.WITHDRAWN):
        assert TRANSITIONS[closed] == frozenset()


def test_wizard_happy_path_versions_and_history() -> None:
    app = complete_draft()
    assert app.version == 6  # created + five steps
    assert [t.to_status for t in app.history] == [S.DRAFT]
    app = submitted()
    assert app.status is S.SUBMITTED
    assert [t.to_status for t in app.history] == [S.DRAFT, S.BEING_VERIFIED, S.SUBMITTED]
    assert app.history[-1].actor_role is ActorRole.SYSTEM


def test_profile_rules_say_whose_application_it_is() -> None:
    today = NOW.date()
    with pytest.raises(DomainError) as missing:
        workflow.learner_code_of(ApplicantRole.PARENT_OR_GUARDIAN, PARENT, None, today)
    assert missing.value.reason == "learner_required"
    assert (
        workflow.learner_code_of(
            ApplicantRole.PARENT_OR_GUARDIAN, PARENT, CHILD.personal_code, today
        )
        == CHILD.personal_code
    )
    with pytest.raises(DomainError) as other:
        workflow.learner_code_of(ApplicantRole.EMPLOYEE, PARENT, CHILD.personal_code, today)
    assert other.value.reason == "learner_must_be_applicant"
    # Born 1 September 2010: 16 on the day.
    minor = Person(personal_code="010910-21207")
    with pytest.raises(DomainError) as young:
        workflow.learner_code_of(ApplicantRole.ADULT_LEARNER, minor, None, today)
    assert young.value.reason == "applicant_not_adult"
    assert (
        workflow.learner_code_of(ApplicantRole.ADULT_LEARNER, PARENT, None, today)
        == PARENT.personal_code
    )


def test_draft_needs_an_institution_in_the_role_and_a_representation() -> None:
    with pytest.raises(NotPermitted) as none:
        draft(reference="IR-0000-0002", role=ApplicantRole.EMPLOYEE, learner=PARENT)
    assert none.value.reason == "not_employed"
    # The caller's standing, not the request's shape: 403 (a 422 told a client
    # generated from the OpenAPI document that its valid request was invalid).
    assert REFUSALS[type(none.value)] == 403
    with pytest.raises(NotPermitted) as stranger:
        workflow.represented(None)
    assert stranger.value.reason == "not_represented"
    assert REFUSALS[type(stranger.value)] == 403


def test_institution_rules() -> None:
    with pytest.raises(NotFound) as unknown:
        workflow.choose_institution(draft(), None, available(institution()), NOW)
    assert unknown.value.reason == "institution_not_found"
    assert REFUSALS[type(unknown.value)] == 404
    with pytest.raises(NotPermitted) as stranger:
        workflow.choose_institution(draft(), institution(), None, NOW)
    assert stranger.value.reason == "not_represented"
    with pytest.raises(DomainError, match="does not study") as err:
        workflow.choose_institution(draft(), institution(), available(), NOW)
    assert err.value.reason == "institution_not_available"
    with pytest.raises(Conflict) as closed:
        workflow.choose_institution(
            draft(), institution(accepting=False), available(institution()), NOW
        )
    assert closed.value.reason == "institution_not_accepting"
    with pytest.raises(DomainError) as ineligible:
        workflow.choose_institution(
            draft(), institution(eligible=False), available(institution()), NOW
        )
    assert ineligible.value.reason == "institution_not_eligible"


def test_resource_needs_earlier_steps_and_matching_target_group() -> None:
    with pytest.raises(Conflict) as early:
        workflow.choose_resource(draft(), OFFERS, "o1", NOW)
    assert early.value.reason == "institution_not_chosen"
    app = workflow.choose_institution(draft(), institution(), available(institution()), NOW)
    app = workflow.set_social_status(app, False, None, NOW)
    with pytest.raises(DomainError) as mismatch:
        workflow.choose_resource(app, OFFERS, "o2", NOW)
    assert mismatch.value.reason == "target_group_mismatch"
    with pytest.raises(DomainError) as unknown:
        workflow.choose_resource(app, OFFERS, "nope", NOW)
    assert unknown.value.reason == "resource_not_offered"
    supported = workflow.set_social_status(app, True, SocialGroup.LARGE_FAMILY, NOW)
    assert workflow.choose_resource(supported, OFFERS, "o2", NOW).resource is not None
    # Dropping the supported status drops a resource meant only for supported learners.
    chosen = workflow.choose_resource(supported, OFFERS, "o2", NOW)
    assert workflow.set_social_status(chosen, False, None, NOW).resource is None


def test_social_status_group_rules() -> None:
    with pytest.raises(DomainError) as missing:
        workflow.set_social_status(draft(), True, None, NOW)
    assert missing.value.reason == "social_group_required"
    with pytest.raises(DomainError):
        workflow.set_social_status(draft(), False, SocialGroup.NEEDY, NOW)


def test_documents_must_match_the_current_list() -> None:
    with pytest.raises(Conflict) as err:
        workflow.acknowledge_documents(draft(), DOCS, [("handover_act", "0")], NOW)
    assert err.value.reason == "documents_not_acknowledged"
    assert REFUSALS[type(err.value)] == 409


def test_submit_lists_missing_steps() -> None:
    with pytest.raises(Conflict) as err:
        workflow.submit(draft(), CITIZEN, NOW, uuid4())
    assert err.value.extra == {
        "missing": ["institution", "social_status", "resource", "documents", "contact"]
    }
    assert REFUSALS[type(err.value)] == 409


def test_negative_verdict_rejects_with_reasons_and_stale_verdicts_are_ignored() -> None:
    request = uuid4()
    app = workflow.submit(complete_draft(), CITIZEN, NOW, request)
    stale = Verdict(request_event_id=uuid4(), eligible=True)
    assert workflow.apply_verdict(app, stale, SYSTEM, NOW) is None
    verdict = Verdict(
        request_event_id=request,
        eligible=False,
        reasons=(IneligibilityReason.NOT_ENROLLED.value,),
    )
    rejected = workflow.apply_verdict(app, verdict, SYSTEM, NOW)
    assert rejected is not None
    assert rejected.status is S.REJECTED
    assert rejected.rejection_reasons == ("not_enrolled",)
    withdrawn = workflow.withdraw(app, CITIZEN, NOW, None)
    assert workflow.apply_verdict(withdrawn, verdict, SYSTEM, NOW) is None


def test_staff_decisions_need_reasons_and_dates() -> None:
    app = submitted()
    with pytest.raises(DomainError) as refuse:
        workflow.decide(app, DecisionKind.REFUSE, " ", None, STAFF, NOW)
    assert refuse.value.reason == "reason_required"
    with pytest.raises(DomainError) as postpone:
        workflow.decide(app, DecisionKind.POSTPONE, "Gaidām piegādi", NOW.date(), STAFF, NOW)
    assert postpone.value.reason == "postponed_until_required"
    later = NOW.date() + dt.timedelta(days=14)
    postponed = workflow.decide(app, DecisionKind.POSTPONE, "Gaidām piegādi", later, STAFF, NOW)
    assert postponed.status is S.POSTPONED
    assert postponed.decision is not None
    assert postponed.decision.postponed_until == later
    granted = workflow.decide(postponed, DecisionKind.GRANT, None, None, STAFF, NOW)
    assert granted.status is S.GRANTED


def test_issue_incident_and_return() -> None:
    app = workflow.decide(submitted(), DecisionKind.GRANT, None, None, STAFF, NOW)
    ready = workflow.mark_ready(
        app, IssuedItem(model="Lenovo", inventory_number="INV-1", serial_number="SN-1"), STAFF, NOW
    )
    with pytest.raises(Conflict) as early:
        workflow.report_incident(ready, IncidentKind.LOST, "Pazaudēts autobusā", None, CITIZEN, NOW)
    assert early.value.reason == "not_issued"
    issued = workflow.confirm_receipt(ready, CITIZEN, NOW, uuid4())
    assert issued.status is S.ISSUED
    assert issued.documents[0].kind.value == "handover_act"
    with_incident, incident = workflow.report_incident(
        issued, IncidentKind.STOLEN, "Nozagts no somas", None, CITIZEN, NOW
    )
    closed = workflow.close_incident(with_incident, incident.id, "Policijā ziņots", STAFF, NOW)
    assert not closed.incidents[0].is_open
    with pytest.raises(Conflict):
        workflow.close_incident(closed, incident.id, "again", STAFF, NOW)
    returned = workflow.record_return(
        closed, ReturnCondition.STOLEN, None, NOW.date(), STAFF, NOW, uuid4()
    )
    assert returned.status is S.RETURNED
    assert [d.kind.value for d in returned.documents] == ["handover_act", "return_act"]
    with pytest.raises(IllegalTransition):
        workflow.withdraw(returned, CITIZEN, NOW, None)


def test_document_link_is_idempotent() -> None:
    doc_id = uuid4()
    app = workflow.decide(submitted(), DecisionKind.GRANT, None, None, STAFF, NOW)
    app = workflow.mark_ready(
        app, IssuedItem(model="M", inventory_number="I", serial_number="S"), STAFF, NOW
    )
    app = workflow.confirm_receipt(app, CITIZEN, NOW, doc_id)
    linked = workflow.link_document(app, doc_id, "PNA-2026-000001", "a" * 64, NOW, NOW)
    assert linked is not None
    assert linked.documents[0].number == "PNA-2026-000001"
    assert workflow.link_document(linked, doc_id, "PNA-2026-000001", "a" * 64, NOW, NOW) is None


def test_drafts_cannot_be_edited_after_submission() -> None:
    app = submitted()
    with pytest.raises(Conflict) as err:
        workflow.set_social_status(app, False, None, NOW)
    assert err.value.reason == "not_a_draft"
    # but the contact can still change while the application is open
    assert (
        workflow.update_contact(
            app, Contact(phone="+37129999999", email="x@example.lv"), NOW
        ).version
        == app.version + 1
    )


def test_today_is_the_riga_date() -> None:
    # 00:30 on 2 September in Riga is still 1 September in UTC.
    late = dt.datetime(2026, 9, 1, 21, 30, tzinfo=dt.UTC)
    app = workflow.decide(submitted(), DecisionKind.GRANT, None, None, STAFF, late)
    item = IssuedItem(model="Lenovo", inventory_number="INV-2", serial_number="SN-2")
    issued = workflow.confirm_receipt(
        workflow.mark_ready(app, item, STAFF, late), CITIZEN, late, uuid4()
    )
    returned = workflow.record_return(
        issued, ReturnCondition.GOOD, None, dt.date(2026, 9, 2), STAFF, late, uuid4()
    )
    assert returned.return_record is not None
    assert returned.return_record.returned_on == dt.date(2026, 9, 2)
    with pytest.raises(DomainError) as future:
        workflow.record_return(
            issued, ReturnCondition.GOOD, None, dt.date(2026, 9, 3), STAFF, late, uuid4()
        )
    assert future.value.reason == "returned_on_in_future"


def test_references_are_short_readable_and_forgiving_when_typed() -> None:
    ref = reference_from(0b11111_00000_00001_01010 << 20)
    assert PATTERN.match(ref)
    assert reference_from(0) == "IR-0000-0000"
    assert len({reference_from(n) for n in range(0, 2**40, 2**30)}) == 1024
    assert normalized(" ir 7k3m-q9tx ") == "IR-7K3M-Q9TX"
    assert normalized("IR-7K3MQ9TO") == "IR-7K3M-Q9T0"  # O read as 0
    assert normalized("Bērziņš") == "BĒRZIŅŠ"  # not a reference: left for the name search


def test_status_events_tell_notifications_where_in_which_language_and_why() -> None:
    english = draft(reference="IR-0000-0002", language=Language.EN)
    assert status_event(None, english, "c", CITIZEN).payload.language is Language.EN
    drafted = status_event(None, draft(), "c", CITIZEN).payload
    assert drafted.contact_email is None
    assert drafted.language is Language.LV
    app = submitted()
    later = NOW.date() + dt.timedelta(days=14)
    postponed = workflow.decide(app, DecisionKind.POSTPONE, "Gaidām piegādi", later, STAFF, NOW)
    payload = status_event(app, postponed, "c", STAFF).payload
    assert payload.contact_email == "liga@example.lv"
    assert (payload.reason, payload.postponed_until) == ("Gaidām piegādi", later)
    granted = workflow.decide(postponed, DecisionKind.GRANT, None, None, STAFF, NOW)
    # The postponement's reason is not repeated on the grant.
    assert status_event(postponed, granted, "c", STAFF).payload.reason is None
    # No personal code on the event (the applicant's or the learner's).
    dumped = status_event(app, postponed, "c", STAFF).model_dump_json()
    assert PARENT.personal_code not in dumped
    assert CHILD.personal_code not in dumped
