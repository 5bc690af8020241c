"""Every change an application can go through, as pure functions: each takes
the current aggregate and returns the next one (version + 1), or raises a
DomainError. Nothing here reads a clock, a database or the network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TypeVar
from uuid import UUID, uuid4

from edu_contracts.applications import ActorRole, ApplicantRole, ReturnCondition
from edu_contracts.applications import ApplicationStatus as S
from edu_contracts.applications_api import IncidentKind, SocialGroup
from edu_contracts.documents import DocumentKind, Language
from edu_contracts.personal_code import birth_date_of
from edu_contracts.registry_api import ResourceTargetGroup
from edu_runtime.riga import ADULT_AGE, age_on, today_in_latvia

from edu_applications.domain.errors import Conflict, DomainError, NotFound, NotPermitted
from edu_applications.domain.model import (
    AcknowledgedDocument,
    Actor,
    Application,
    Contact,
    Decision,
    DecisionKind,
    DocumentStatus,
    Incident,
    InstitutionSnapshot,
    IssuedItem,
    LinkedDocument,
    Offer,
    Person,
    RegisteredInstitution,
    ResourceSnapshot,
    ReturnRecord,
    Transition,
    Verdict,
)
from edu_applications.domain.statuses import EDITABLE_CONTACT, ensure_transition


def _changed(app: Application, now: dt.datetime, **fields: object) -> Application:
    return app.model_copy(update={**fields, "version": app.version + 1, "updated_at": now})


def _moved(
    app: Application,
    to: S,
    actor: Actor,
    now: dt.datetime,
    reason: str | None = None,
    **fields: object,
) -> Application:
    ensure_transition(app.status, to)
    step = Transition(
        at=now,
        actor=actor.name,
        actor_role=actor.role,
        from_status=app.status,
        to_status=to,
        reason=reason,
    )
    return _changed(app, now, status=to, history=(*app.history, step), **fields)


def _require_draft(app: Application) -> None:
    if app.status is not S.DRAFT:
        raise Conflict(
            "not_a_draft",
            "Only a draft can be edited step by step; this application was already submitted.",
            current_status=app.status.value,
        )


T = TypeVar("T")


def represented(found: T | None) -> T:
    """What the registers answered for a person the caller acts for; None means
    they do not show the caller as that person's representative."""
    if found is None:
        raise NotPermitted(
            "not_represented", "The registers do not show you as this person's representative."
        )
    return found


# --- step 1: profile -------------------------------------------------------


def learner_code_of(
    role: ApplicantRole, applicant: Person, learner_code: str | None, today: dt.date
) -> str:
    """Whose application it is, from the profile alone: a parent or guardian
    names the child; adult learners and employees apply for themselves, and an
    adult learner is 18 or older."""
    if role is ApplicantRole.PARENT_OR_GUARDIAN:
        if learner_code is None:
            raise DomainError(
                "learner_required", "Give the personal code of the child you apply for."
            )
        return learner_code
    if learner_code not in (None, applicant.personal_code):
        raise DomainError(
            "learner_must_be_applicant", "Adult learners and employees apply for themselves."
        )
    if role is ApplicantRole.ADULT_LEARNER:
        born = birth_date_of(applicant.personal_code)
        if born is not None and age_on(born, today) < ADULT_AGE:
            raise DomainError(
                "applicant_not_adult", "Learners under 18 apply through a parent or guardian."
            )
    return applicant.personal_code


def start_draft(
    *,
    app_id: UUID,
    reference: str,
    role: ApplicantRole,
    applicant: Person,
    learner: Person,
    institutions: Collection[str],
    actor: Actor,
    now: dt.datetime,
    language: Language = Language.LV,
) -> Application:
    """A new draft. ``institutions``: where the registers show the applicant in
    their role (enrolled, or employed) now; a parent's child is checked when
    the institution is chosen."""
    if role is not ApplicantRole.PARENT_OR_GUARDIAN and not institutions:
        # About the caller, not the request (which is well formed): 403, as for
        # a learner the caller does not represent.
        raise NotPermitted(
            "not_employed" if role is ApplicantRole.EMPLOYEE else "not_enrolled",
            "The registers show no institution for you in this role.",
        )
    return Application(
        id=app_id,
        reference=reference,
        created_at=now,
        updated_at=now,
        role=role,
        applicant=applicant,
        learner=learner,
        language=language,
        history=(
            Transition(
                at=now, actor=actor.name, actor_role=actor.role, from_status=None, to_status=S.DRAFT
            ),
        ),
    )


# --- step 2: institution ---------------------------------------------------


def choose_institution(
    app: Application,
    institution: RegisteredInstitution | None,
    available: Collection[str] | None,
    now: dt.datetime,
) -> Application:
    """``available``: the ids of the institutions where the learner studies (or
    the employee works) now; None if the registers do not show the applicant
    as the learner's representative."""
    if institution is None:
        # The institution the request names does not exist: 404 (the request
        # itself is well formed, as its OpenAPI document promises).
        raise NotFound("institution_not_found", "No such institution in the registers.")
    available = represented(available)
    _require_draft(app)
    if institution.institution_id not in available:
        raise DomainError(
            "institution_not_available",
            "The learner does not study (or the employee does not work) at this institution.",
        )
    if not institution.eligible_for_applications:
        raise DomainError(
            "institution_not_eligible",
            "Applications can be made only to state and municipal institutions that run eligible "
            "programmes.",
        )
    if not institution.accepting_applications:
        raise Conflict(
            "institution_not_accepting",
            "This institution is not accepting resource applications now.",
        )
    snapshot = InstitutionSnapshot.model_validate(
        institution.model_dump(include=set(InstitutionSnapshot.model_fields))
    )
    # A new institution invalidates the resource chosen for the previous one.
    return _changed(app, now, institution=snapshot, resource=None)


# --- step 3: social status -------------------------------------------------


def set_social_status(
    app: Application, socially_supported: bool, group: SocialGroup | None, now: dt.datetime
) -> Application:
    _require_draft(app)
    if socially_supported and group is None:
        raise DomainError("social_group_required", "Say which socially supported group applies.")
    if not socially_supported and group is not None:
        raise DomainError(
            "social_group_unexpected", "A group is given only for socially supported learners."
        )
    resource = app.resource
    if (
        resource
        and resource.target_group is ResourceTargetGroup.SOCIALLY_SUPPORTED
        and not socially_supported
    ):
        resource = None  # no longer within the chosen resource's target group
    return _changed(
        app, now, socially_supported=socially_supported, social_group=group, resource=resource
    )


# --- step 4: resource ------------------------------------------------------


def choose_resource(
    app: Application, offers: Collection[Offer], offer_id: str, now: dt.datetime
) -> Application:
    _require_draft(app)
    if app.institution is None:
        raise Conflict("institution_not_chosen", "Choose the institution (step 2) first.")
    if app.socially_supported is None:
        raise Conflict("social_status_not_given", "State the social status (step 3) first.")
    offer = next((o for o in offers if o.offer_id == offer_id), None)
    if offer is None or offer.institution_id != app.institution.institution_id:
        raise DomainError(
            "resource_not_offered", "The chosen institution does not lend this resource."
        )
    if offer.target_group is ResourceTargetGroup.SOCIALLY_SUPPORTED and not app.socially_supported:
        raise DomainError(
            "target_group_mismatch",
            "This resource is only for learners of socially supported groups.",
        )
    snapshot = ResourceSnapshot.model_validate(
        offer.model_dump(include=set(ResourceSnapshot.model_fields))
    )
    return _changed(app, now, resource=snapshot)


# --- step 5: documents to be confirmed on receipt --------------------------


def acknowledge_documents(
    app: Application,
    current: list[AcknowledgedDocument],
    acknowledged: list[tuple[str, str]],
    now: dt.datetime,
) -> Application:
    _require_draft(app)
    wanted = {(d.code, d.version) for d in current}
    if set(acknowledged) != wanted:
        # Which documents are current is the documents service's state, not a
        # rule of the request's shape: like a stale version, a 409 (with the
        # list to acknowledge) rather than a 422 for a well-formed request.
        raise Conflict(
            "documents_not_acknowledged",
            "Acknowledge every current document that will be confirmed on receipt.",
            expected=[{"code": c, "version": v} for c, v in sorted(wanted)],
        )
    return _changed(app, now, acknowledged_documents=tuple(current))


# --- step 6: contact (also editable after submission) ----------------------


def update_contact(app: Application, contact: Contact, now: dt.datetime) -> Application:
    if app.status not in EDITABLE_CONTACT:
        raise Conflict(
            "application_closed",
            "The contact details of a closed application cannot change.",
            current_status=app.status.value,
        )
    return _changed(app, now, contact=contact)


# --- step 7: submit and verification ---------------------------------------


def missing_steps(app: Application) -> list[str]:
    steps = {
        "institution": app.institution is not None,
        "social_status": app.socially_supported is not None,
        "resource": app.resource is not None,
        "documents": app.acknowledged_documents is not None,
        "contact": app.contact is not None,
    }
    return [name for name, done in steps.items() if not done]


def submit(app: Application, actor: Actor, now: dt.datetime, request_id: UUID) -> Application:
    _require_draft(app)
    missing = missing_steps(app)
    if missing:
        # The draft's state, not the request (which is well formed): 409.
        raise Conflict(
            "application_incomplete", "Complete every step before submitting.", missing=missing
        )
    return _moved(app, S.BEING_VERIFIED, actor, now, verification_request_id=request_id)


def apply_verdict(
    app: Application, verdict: Verdict, actor: Actor, now: dt.datetime
) -> Application | None:
    """None when the verdict no longer applies (withdrawn meanwhile, or a stale request)."""
    if (
        app.status is not S.BEING_VERIFIED
        or app.verification_request_id != verdict.request_event_id
    ):
        return None
    learner = app.learner
    if verdict.learner_full_name and not learner.full_name:
        learner = learner.model_copy(update={"full_name": verdict.learner_full_name})
    if verdict.eligible:
        return _moved(app, S.SUBMITTED, actor, now, learner=learner)
    reasons = verdict.reasons
    return _moved(
        app,
        S.REJECTED,
        actor,
        now,
        reason=", ".join(reasons),
        learner=learner,
        rejection_reasons=reasons,
    )


def withdraw(app: Application, actor: Actor, now: dt.datetime, reason: str | None) -> Application:
    return _moved(app, S.WITHDRAWN, actor, now, reason=reason)


# --- staff ------------------------------------------------------------------


def decide(
    app: Application,
    kind: DecisionKind,
    reason: str | None,
    postponed_until: dt.date | None,
    actor: Actor,
    now: dt.datetime,
) -> Application:
    if kind is not DecisionKind.GRANT and not (reason and reason.strip()):
        raise DomainError("reason_required", "A refusal or a postponement needs a reason.")
    if kind is DecisionKind.POSTPONE and (
        postponed_until is None or postponed_until <= today_in_latvia(now)
    ):
        raise DomainError(
            "postponed_until_required", "Give a future date until which the review is postponed."
        )
    if kind is not DecisionKind.POSTPONE and postponed_until is not None:
        raise DomainError("postponed_until_unexpected", "Only a postponement has an until-date.")
    target = {
        DecisionKind.GRANT: S.GRANTED,
        DecisionKind.REFUSE: S.REFUSED,
        DecisionKind.POSTPONE: S.POSTPONED,
    }[kind]
    decision = Decision(
        kind=kind,
        reason=reason,
        postponed_until=postponed_until,
        decided_at=now,
        decided_by=actor.name,
    )
    return _moved(app, target, actor, now, reason=reason, decision=decision)


def mark_ready(app: Application, item: IssuedItem, actor: Actor, now: dt.datetime) -> Application:
    return _moved(app, S.READY_FOR_ISSUE, actor, now, item=item)


def confirm_receipt(
    app: Application, actor: Actor, now: dt.datetime, document_id: UUID
) -> Application:
    if actor.role is not ActorRole.CITIZEN:
        raise NotPermitted(
            "citizen_only", "Receipt is confirmed by the recipient on their own device."
        )
    requested = LinkedDocument(
        document_id=document_id, kind=DocumentKind.HANDOVER_ACT, requested_at=now
    )
    return _moved(app, S.ISSUED, actor, now, documents=(*app.documents, requested))


def record_return(
    app: Application,
    condition: ReturnCondition,
    note: str | None,
    returned_on: dt.date,
    actor: Actor,
    now: dt.datetime,
    document_id: UUID,
) -> Application:
    if returned_on > today_in_latvia(now):
        raise DomainError("returned_on_in_future", "The return date cannot be in the future.")
    record = ReturnRecord(
        condition=condition, note=note, returned_on=returned_on, received_by=actor.name
    )
    requested = LinkedDocument(
        document_id=document_id, kind=DocumentKind.RETURN_ACT, requested_at=now
    )
    return _moved(
        app,
        S.RETURNED,
        actor,
        now,
        reason=condition.value,
        return_record=record,
        documents=(*app.documents, requested),
    )


def report_incident(
    app: Application,
    kind: IncidentKind,
    description: str,
    occurred_on: dt.date | None,
    actor: Actor,
    now: dt.datetime,
) -> tuple[Application, Incident]:
    if app.status is not S.ISSUED:
        raise Conflict(
            "not_issued",
            "A loss or theft can be reported only for an issued resource.",
            current_status=app.status.value,
        )
    if occurred_on and occurred_on > today_in_latvia(now):
        raise DomainError("occurred_on_in_future", "The incident date cannot be in the future.")
    incident = Incident(
        id=uuid4(),
        kind=kind,
        description=description.strip(),
        occurred_on=occurred_on,
        reported_at=now,
        reported_by=actor.name,
    )
    return _changed(app, now, incidents=(*app.incidents, incident)), incident


def close_incident(
    app: Application, incident_id: UUID, note: str, actor: Actor, now: dt.datetime
) -> Application:
    found = next((i for i in app.incidents if i.id == incident_id), None)
    if found is None:
        raise DomainError("incident_not_found", "No such incident on this application.")
    if not found.is_open:
        raise Conflict("incident_closed", "The incident is already closed.")
    closed = found.model_copy(
        update={"closed_at": now, "closed_by": actor.name, "closing_note": note.strip()}
    )
    return _changed(
        app, now, incidents=tuple(closed if i.id == incident_id else i for i in app.incidents)
    )


def link_document(
    app: Application,
    document_id: UUID,
    number: str,
    sha256: str,
    rendered_at: dt.datetime,
    now: dt.datetime,
) -> Application | None:
    """None when the document is unknown or already linked (a redelivered event)."""
    linked = next((d for d in app.documents if d.document_id == document_id), None)
    if linked is None or linked.status is DocumentStatus.RENDERED:
        return None
    done = linked.model_copy(
        update={
            "status": DocumentStatus.RENDERED,
            "number": number,
            "sha256": sha256,
            "rendered_at": rendered_at,
        }
    )
    return _changed(
        app,
        now,
        documents=tuple(done if d.document_id == document_id else d for d in app.documents),
    )


def document_failed(app: Application, document_id: UUID, now: dt.datetime) -> Application | None:
    linked = next((d for d in app.documents if d.document_id == document_id), None)
    if linked is None or linked.status is not DocumentStatus.REQUESTED:
        return None
    failed = linked.model_copy(update={"status": DocumentStatus.FAILED})
    return _changed(
        app,
        now,
        documents=tuple(failed if d.document_id == document_id else d for d in app.documents),
    )
