"""What applications tells other services, built from the aggregate: status
changes, verification requests, render commands for the handover and return
acts (and the acts' contents), purge confirmations. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from edu_contracts.applications import (
    ActorRole,
    ApplicantRole,
    ApplicationStatus,
    IncidentReported,
    IncidentReportedPayload,
    ReturnCondition,
    StatusChanged,
    StatusChangedPayload,
    VerificationRequested,
    VerificationRequestedPayload,
)
from edu_contracts.applications_api import IncidentKind
from edu_contracts.documents import (
    AcceptedDocument,
    ElectronicConfirmation,
    HandoverActContent,
    InstitutionRef,
    ItemRef,
    Language,
    PersonRef,
    RenderRequested,
    RenderRequestedPayload,
    ReturnActContent,
)
from edu_contracts.retention import PurgeConfirmed, PurgeConfirmedPayload, PurgeOrdered
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity, Role
from edu_runtime.projection import project

from edu_applications.domain.model import Actor, Application, Incident

PRODUCER = ServiceName.APPLICATIONS
UNNAMED = "—"


def actor_of(identity: Identity) -> Actor:
    fallback = "Iestādes darbinieks" if identity.role is Role.STAFF else "Iesniedzējs"
    role = ActorRole.STAFF if identity.role is Role.STAFF else ActorRole.CITIZEN
    return Actor(name=identity.full_name or fallback, role=role, auth_method=identity.auth_method)


def status_event(
    before: Application | None, after: Application, correlation_id: str, actor: Actor
) -> StatusChanged:
    effective = (
        after.return_record.returned_on
        if after.status is ApplicationStatus.RETURNED and after.return_record
        else None
    )
    # What the institution said, on the statuses it explains.
    decision = (
        after.decision
        if after.status in {ApplicationStatus.REFUSED, ApplicationStatus.POSTPONED}
        else None
    )
    return StatusChanged(
        producer=PRODUCER,
        correlation_id=correlation_id,
        payload=StatusChangedPayload(
            application_id=after.id,
            application_reference=after.reference,
            institution_id=after.institution_id,
            from_status=before.status if before else None,
            to_status=after.status,
            changed_at=after.updated_at,
            actor_role=actor.role,
            version=after.version,
            effective_date=effective,
            # For the notifications service: where and in which language to
            # tell the applicant, and what the institution said.
            contact_email=after.contact.email if after.contact else None,
            language=after.language,
            reason=decision.reason if decision else None,
            postponed_until=decision.postponed_until if decision else None,
        ),
    )


def incident_reported(
    app: Application, incident: Incident, correlation_id: str
) -> IncidentReported:
    """A loss or theft reported: notifications acknowledge it to the applicant."""
    return IncidentReported(
        producer=PRODUCER,
        correlation_id=correlation_id,
        payload=IncidentReportedPayload(
            application_id=app.id,
            application_reference=app.reference,
            institution_id=app.institution_id,
            incident_id=incident.id,
            kind="stolen" if incident.kind is IncidentKind.STOLEN else "lost",
            reported_at=incident.reported_at,
            version=app.version,
            contact_email=app.contact.email if app.contact else None,
            language=app.language,
        ),
    )


def verification_requested(
    app: Application, request_id: UUID, cid: str, now: dt.datetime
) -> VerificationRequested:
    """What registry-reader checks a submitted application against."""
    assert app.institution
    assert app.resource
    assert app.socially_supported is not None
    return VerificationRequested(
        event_id=request_id,
        producer=PRODUCER,
        correlation_id=cid,
        payload=VerificationRequestedPayload(
            application_id=app.id,
            applicant_code=app.applicant.personal_code,
            role=app.role,
            learner_code=app.learner.personal_code,
            institution_id=app.institution.institution_id,
            resource_offer_id=app.resource.offer_id,
            socially_supported=app.socially_supported,
            social_group=app.social_group.value if app.social_group else None,
            requested_at=now,
        ),
    )


def handover_act(
    document_id: UUID,
    app: Application,
    identity: Identity,
    now: dt.datetime,
    lang: Language,
    cid: str,
) -> RenderRequested:
    """The handover act the recipient confirmed electronically."""
    recipient = _applicant_ref(app)
    content = HandoverActContent(
        institution=_institution_ref(app),
        application_reference=app.reference,
        recipient=recipient,
        learner=_learner_ref(app),
        item=_item_ref(app),
        accepted_documents=tuple(
            AcceptedDocument(title=d.title, version=d.version)
            for d in app.acknowledged_documents or ()
        ),
        confirmation=ElectronicConfirmation(
            confirmed_by=recipient,
            confirmed_at=now,
            auth_method=identity.auth_method or "unknown",
        ),
    )
    return _render(document_id, app, content, lang, cid)


def return_act(
    document_id: UUID,
    app: Application,
    condition: ReturnCondition,
    note: str | None,
    actor: Actor,
    now: dt.datetime,
    lang: Language,
    cid: str,
) -> RenderRequested:
    """The act of the resource's return, signed for by the staff member."""
    content = ReturnActContent(
        institution=_institution_ref(app),
        application_reference=app.reference,
        returned_by=_applicant_ref(app),
        learner=_learner_ref(app),
        item=_item_ref(app),
        condition=condition.value,
        condition_note=note,
        received_by=actor.name,
        returned_at=now,
    )
    return _render(document_id, app, content, lang, cid)


def purge_confirmed(
    order: PurgeOrdered, deleted: dict[str, int], now: dt.datetime
) -> PurgeConfirmed:
    return PurgeConfirmed(
        producer=PRODUCER,
        correlation_id=order.correlation_id,
        causation_id=order.event_id,
        payload=PurgeConfirmedPayload(
            order_id=order.payload.order_id,
            owner=PRODUCER,
            subject=order.payload.subject,
            deleted=deleted,
            confirmed_at=now,
        ),
    )


def _applicant_ref(app: Application) -> PersonRef:
    return PersonRef(
        personal_code=app.applicant.personal_code, full_name=app.applicant.full_name or UNNAMED
    )


def _institution_ref(app: Application) -> InstitutionRef:
    assert app.institution
    return project(InstitutionRef, app.institution)


def _learner_ref(app: Application) -> PersonRef | None:
    if app.role is not ApplicantRole.PARENT_OR_GUARDIAN:
        return None
    return PersonRef(
        personal_code=app.learner.personal_code, full_name=app.learner.full_name or UNNAMED
    )


def _item_ref(app: Application) -> ItemRef:
    assert app.item
    assert app.resource
    return ItemRef(
        resource_type=app.resource.resource_type,
        resource_label=app.resource.description,
        model=app.item.model,
        inventory_number=app.item.inventory_number,
        serial_number=app.item.serial_number,
    )


def _render(
    document_id: UUID,
    app: Application,
    content: HandoverActContent | ReturnActContent,
    lang: Language,
    cid: str,
) -> RenderRequested:
    return RenderRequested(
        producer=PRODUCER,
        correlation_id=cid,
        payload=RenderRequestedPayload(
            document_id=document_id,
            language=lang,
            application_id=app.id,
            institution_id=app.institution_id,
            reader_code=app.applicant.personal_code,
            content=content,
        ),
    )
