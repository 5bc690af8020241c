"""Use cases of the applications service: load the aggregate, let the domain
decide, then store it and the events it causes in one transaction (outbox).

The HTTP and Kafka adapters call these; they hold no rules of their own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from edu_contracts.applications import (
    ActorRole,
    ApplicantRole,
    ApplicationStatus,
    StatusChanged,
    StatusChangedPayload,
    VerificationRequested,
    VerificationRequestedPayload,
)
from edu_contracts.documents import (
    AcceptedDocument,
    ElectronicConfirmation,
    HandoverActContent,
    InstitutionRef,
    ItemRef,
    Language,
    PersonRef,
    RenderedPayload,
    RenderFailedPayload,
    RenderRequested,
    RenderRequestedPayload,
    ReturnActContent,
)
from edu_contracts.envelope import Envelope
from edu_contracts.my_data import RepresentationBasis
from edu_contracts.personal_code import birth_date_of
from edu_contracts.registry import EligibilityVerdict
from edu_contracts.registry_api import LearnerInstitutions
from edu_contracts.retention import (
    PurgeConfirmed,
    PurgeConfirmedPayload,
    PurgeOrdered,
    PurgeSubjectKind,
)
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity, Role
from edu_runtime.batches import Delivery
from edu_runtime.errors import ApiError
from edu_runtime.group_commit import GroupCommit
from edu_runtime.mongo import StaleVersion
from edu_runtime.pseudonym import Pseudonymizer
from edu_runtime.riga import ADULT_AGE, age_on, today_in_latvia
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork
from opentelemetry import context as otel_context
from opentelemetry.context import Context

from edu_applications.adapters.store import ApplicationStore, SlotTaken
from edu_applications.adapters.upstream import ReceiptDocumentsCatalog, RegistryLookups
from edu_applications.domain import workflow
from edu_applications.domain.errors import DomainError
from edu_applications.domain.model import (
    SYSTEM,
    AcknowledgedDocument,
    Actor,
    Application,
    Contact,
    DecisionKind,
    Incident,
    IncidentKind,
    IssuedItem,
    Person,
    ReturnCondition,
    SocialGroup,
)

PRODUCER = ServiceName.APPLICATIONS
ACCEPTED_TERMS_CACHE = 100_000  # pseudonyms (~100 bytes each) before starting over
UNNAMED = "—"
REPRESENTATION_BASES = {
    RepresentationBasis.MINOR_CHILD,
    RepresentationBasis.CUSTODY,
    RepresentationBasis.GUARDIANSHIP,
}


@dataclass(frozen=True)
class Change:
    """One request's change of an application and the events it causes."""

    before: Application | None
    after: Application
    take_slot: bool
    events: Sequence[Envelope]
    trace: Context  # the request's: its events continue its trace


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """Domain refusals become HTTP refusals with the same reason."""
    try:
        yield
    except DomainError as err:
        raise ApiError(err.status, err.reason, err.message, err.extra) from None


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
    return StatusChanged(
        producer=PRODUCER,
        correlation_id=correlation_id,
        payload=StatusChangedPayload(
            application_id=after.id,
            institution_id=after.institution_id,
            from_status=before.status if before else None,
            to_status=after.status,
            changed_at=after.updated_at,
            actor_role=actor.role,
            version=after.version,
            effective_date=effective,
        ),
    )


class ApplicationService:
    def __init__(
        self,
        runtime: ServiceRuntime,
        store: ApplicationStore,
        registry: RegistryLookups,
        receipt_documents: ReceiptDocumentsCatalog,
        *,
        terms_version: str,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.registry = registry
        self.receipt_documents = receipt_documents
        self.terms_version = terms_version
        self.clock = clock
        self._pseudonym = Pseudonymizer(runtime.settings.pseudonym_key.get_secret_value().encode())
        self._accepted: set[str] = set()  # pseudonyms known to have accepted the terms
        self._commits = GroupCommit(self._write)

    # --- persistence -------------------------------------------------------
    async def _commit(
        self,
        before: Application | None,
        after: Application,
        actor: Actor,
        correlation_id: str,
        *,
        extra: Sequence[Envelope] = (),
        take_slot: bool = False,
    ) -> Application:
        """Store the change and the events it causes in one transaction,
        together with the changes of concurrent requests (group commit)."""
        events: list[Envelope] = list(extra)
        if before is None or before.status is not after.status:
            events.append(status_event(before, after, correlation_id, actor))
        change = Change(before, after, take_slot, events, otel_context.get_current())
        try:
            await self._commits.write(change)
        except StaleVersion:
            raise ApiError(
                409, "stale_version", "The application changed meanwhile; reload it and try again."
            ) from None
        except SlotTaken as taken:
            raise ApiError(
                409,
                "open_application_exists",
                "This learner already has an open application for this resource type.",
                {"application_id": taken.application_id},
            ) from None
        return after

    async def _write(self, changes: Sequence[Change]) -> None:
        async def write(uow: UnitOfWork) -> None:
            await self.store.apply([(c.before, c.after, c.take_slot) for c in changes], uow.session)
            for c in changes:
                uow.emit(*c.events, context=c.trace)

        await self.runtime.unit_of_work(write)

    # --- terms -------------------------------------------------------------
    async def accept_terms(self, identity: Identity, version: str) -> dt.datetime:
        if version != self.terms_version:
            raise ApiError(
                409,
                "terms_version_outdated",
                f"The current terms are version {self.terms_version}.",
                {"current_version": self.terms_version},
            )
        now = self.clock()
        await self.store.accept_terms(self._pseudonym(identity.personal_code), version, now)
        return now

    async def require_terms(self, identity: Identity) -> None:
        subject = self._pseudonym(identity.personal_code)
        # An acceptance is never withdrawn, so a yes can be remembered: every
        # wizard step asks, and the database need only be asked once.
        if subject in self._accepted:
            return
        if await self.store.has_accepted(subject, self.terms_version):
            if len(self._accepted) >= ACCEPTED_TERMS_CACHE:
                self._accepted.clear()
            self._accepted.add(subject)
            return
        raise ApiError(
            403,
            "terms_not_accepted",
            "Piekrītiet e-pakalpojuma lietošanas noteikumiem. "
            "/ Accept the e-service terms of use first.",
        )

    # --- reading -----------------------------------------------------------
    async def own(self, identity: Identity, app_id: str, version: int | None = None) -> Application:
        """The caller's application (404 for anyone else's, as if it did not exist)."""
        app = await self.store.get(app_id)
        if app is None or app.applicant.personal_code != identity.personal_code:
            raise ApiError(404, "application_not_found", "No such application.")
        return _at_version(app, version)

    async def institutions(
        self, identity: Identity, app_id: str, version: int | None = None
    ) -> Application:
        """An application of the staff member's institution (404 otherwise)."""
        app = await self.store.get(app_id)
        if (
            app is None
            or app.status is ApplicationStatus.DRAFT
            or app.institution_id != identity.institution_id
        ):
            raise ApiError(404, "application_not_found", "No such application.")
        return _at_version(app, version)

    # --- wizard ------------------------------------------------------------
    async def create_draft(
        self, identity: Identity, role: ApplicantRole, learner_code: str | None, correlation_id: str
    ) -> Application:
        await self.require_terms(identity)
        applicant = Person(personal_code=identity.personal_code, full_name=identity.full_name)
        if role is ApplicantRole.PARENT_OR_GUARDIAN:
            if learner_code is None:
                raise ApiError(
                    422, "learner_required", "Give the personal code of the child you apply for."
                )
            represented = await self.registry.represented_persons(identity.token)
            match = next(
                (
                    p
                    for p in represented.items
                    if p.personal_code == learner_code and p.basis in REPRESENTATION_BASES
                ),
                None,
            )
            if match is None:
                raise ApiError(
                    403,
                    "not_represented",
                    "The registers do not show you as this person's representative.",
                )
            learner = Person(
                personal_code=learner_code, full_name=f"{match.given_name} {match.family_name}"
            )
        else:
            if learner_code not in (None, identity.personal_code):
                raise ApiError(
                    422,
                    "learner_must_be_applicant",
                    "Adult learners and employees apply for themselves.",
                )
            learner = applicant
            if role is ApplicantRole.ADULT_LEARNER:
                born = birth_date_of(identity.personal_code)
                if born is not None and age_on(born, today_in_latvia(self.clock())) < ADULT_AGE:
                    raise ApiError(
                        422,
                        "applicant_not_adult",
                        "Learners under 18 apply through a parent or guardian.",
                    )
            available = await self._available_institutions(identity, role, learner.personal_code)
            if not available.items:
                reason = "not_employed" if role is ApplicantRole.EMPLOYEE else "not_enrolled"
                raise ApiError(
                    422, reason, "The registers show no institution for you in this role."
                )
        with refusals():
            app = workflow.start_draft(
                app_id=uuid4(),
                role=role,
                applicant=applicant,
                learner=learner,
                actor=actor_of(identity),
                now=self.clock(),
            )
        return await self._commit(None, app, actor_of(identity), correlation_id)

    async def _available_institutions(
        self, identity: Identity, role: ApplicantRole, learner_code: str
    ) -> LearnerInstitutions:
        if role is ApplicantRole.EMPLOYEE:
            found = await self.registry.employee_institutions(identity.token)
        else:
            found = await self.registry.learner_institutions(learner_code, identity.token)
        if found is None:
            raise ApiError(
                403,
                "not_represented",
                "The registers do not show you as this person's representative.",
            )
        return found

    async def choose_institution(
        self, identity: Identity, app_id: str, version: int, institution_id: str, cid: str
    ) -> Application:
        await self.require_terms(identity)
        app = await self.own(identity, app_id, version)
        summary = await self.registry.institution(institution_id, identity.token)
        if summary is None:
            raise ApiError(422, "institution_not_found", "No such institution in the registers.")
        available = await self._available_institutions(
            identity, app.role, app.learner.personal_code
        )
        with refusals():
            changed = workflow.choose_institution(app, summary, available, self.clock())
        return await self._commit(app, changed, actor_of(identity), cid)

    async def set_social_status(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        supported: bool,
        group: SocialGroup | None,
        cid: str,
    ) -> Application:
        await self.require_terms(identity)
        app = await self.own(identity, app_id, version)
        with refusals():
            changed = workflow.set_social_status(app, supported, group, self.clock())
        return await self._commit(app, changed, actor_of(identity), cid)

    async def choose_resource(
        self, identity: Identity, app_id: str, version: int, offer_id: str, cid: str
    ) -> Application:
        await self.require_terms(identity)
        app = await self.own(identity, app_id, version)
        if app.institution is None:
            raise ApiError(409, "institution_not_chosen", "Choose the institution (step 2) first.")
        offers = await self.registry.offers(app.institution.institution_id, identity.token)
        with refusals():
            changed = workflow.choose_resource(
                app, list(offers.items) if offers else [], offer_id, self.clock()
            )
        await self._refuse_if_slot_taken(changed)
        return await self._commit(app, changed, actor_of(identity), cid)

    async def _refuse_if_slot_taken(self, app: Application) -> None:
        if (
            app.open_slot
            and (holder := await self.store.holder_of(app.open_slot))
            and holder != str(app.id)
        ):
            raise ApiError(
                409,
                "open_application_exists",
                "This learner already has an open application for this resource type.",
                {"application_id": holder},
            )

    async def acknowledge_documents(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        acknowledged: list[tuple[str, str]],
        lang: Language,
        cid: str,
    ) -> Application:
        await self.require_terms(identity)
        app = await self.own(identity, app_id, version)
        catalog = await self.receipt_documents.current(identity.token, lang.value)
        current = [
            AcknowledgedDocument(code=d.code, title=d.title, version=d.version)
            for d in catalog.items
        ]
        with refusals():
            changed = workflow.acknowledge_documents(app, current, acknowledged, self.clock())
        return await self._commit(app, changed, actor_of(identity), cid)

    async def update_contact(
        self, identity: Identity, app_id: str, version: int, contact: Contact, cid: str
    ) -> Application:
        await self.require_terms(identity)
        app = await self.own(identity, app_id, version)
        with refusals():
            changed = workflow.update_contact(app, contact, self.clock())
        return await self._commit(app, changed, actor_of(identity), cid)

    async def submit(self, identity: Identity, app_id: str, version: int, cid: str) -> Application:
        await self.require_terms(identity)
        app = await self.own(identity, app_id, version)
        actor = actor_of(identity)
        now = self.clock()
        request_id = uuid4()
        with refusals():
            changed = workflow.submit(app, actor, now, request_id)
        assert changed.institution
        assert changed.resource
        assert changed.socially_supported is not None
        request = VerificationRequested(
            event_id=request_id,
            producer=PRODUCER,
            correlation_id=cid,
            payload=VerificationRequestedPayload(
                application_id=changed.id,
                applicant_code=changed.applicant.personal_code,
                role=changed.role,
                learner_code=changed.learner.personal_code,
                institution_id=changed.institution.institution_id,
                resource_offer_id=changed.resource.offer_id,
                socially_supported=changed.socially_supported,
                social_group=changed.social_group.value if changed.social_group else None,
                requested_at=now,
            ),
        )
        return await self._commit(app, changed, actor, cid, extra=[request], take_slot=True)

    # --- after submission (citizen) ------------------------------------------
    async def withdraw(
        self, identity: Identity, app_id: str, version: int, reason: str | None, cid: str
    ) -> Application:
        app = await self.own(identity, app_id, version)
        with refusals():
            changed = workflow.withdraw(app, actor_of(identity), self.clock(), reason)
        return await self._commit(app, changed, actor_of(identity), cid)

    async def confirm_receipt(
        self, identity: Identity, app_id: str, version: int, lang: Language, cid: str
    ) -> Application:
        app = await self.own(identity, app_id, version)
        actor = actor_of(identity)
        now = self.clock()
        document_id = uuid4()
        with refusals():
            changed = workflow.confirm_receipt(app, actor, now, document_id)
        assert changed.institution
        assert changed.item
        assert changed.resource
        recipient = PersonRef(
            personal_code=app.applicant.personal_code, full_name=app.applicant.full_name or UNNAMED
        )
        content = HandoverActContent(
            institution=_institution_ref(changed),
            recipient=recipient,
            learner=_learner_ref(changed),
            item=_item_ref(changed),
            accepted_documents=tuple(
                AcceptedDocument(title=d.title, version=d.version)
                for d in changed.acknowledged_documents or ()
            ),
            confirmation=ElectronicConfirmation(
                confirmed_by=recipient,
                confirmed_at=now,
                auth_method=identity.auth_method or "unknown",
            ),
        )
        command = _render(document_id, changed, content, lang, cid)
        return await self._commit(app, changed, actor, cid, extra=[command])

    async def report_incident(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        kind: IncidentKind,
        description: str,
        occurred_on: dt.date | None,
        cid: str,
    ) -> tuple[Application, Incident]:
        app = await self.own(identity, app_id, version)
        with refusals():
            changed, incident = workflow.report_incident(
                app, kind, description, occurred_on, actor_of(identity), self.clock()
            )
        return await self._commit(app, changed, actor_of(identity), cid), incident

    # --- staff ---------------------------------------------------------------
    async def decide(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        kind: DecisionKind,
        reason: str | None,
        until: dt.date | None,
        cid: str,
    ) -> Application:
        app = await self.institutions(identity, app_id, version)
        with refusals():
            changed = workflow.decide(app, kind, reason, until, actor_of(identity), self.clock())
        return await self._commit(app, changed, actor_of(identity), cid)

    async def mark_ready(
        self, identity: Identity, app_id: str, version: int, item: IssuedItem, cid: str
    ) -> Application:
        app = await self.institutions(identity, app_id, version)
        with refusals():
            changed = workflow.mark_ready(app, item, actor_of(identity), self.clock())
        return await self._commit(app, changed, actor_of(identity), cid)

    async def record_return(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        condition: ReturnCondition,
        note: str | None,
        returned_on: dt.date | None,
        lang: Language,
        cid: str,
    ) -> Application:
        app = await self.institutions(identity, app_id, version)
        actor = actor_of(identity)
        now = self.clock()
        document_id = uuid4()
        with refusals():
            changed = workflow.record_return(
                app, condition, note, returned_on or now.date(), actor, now, document_id
            )
        assert changed.institution
        assert changed.item
        assert changed.resource
        content = ReturnActContent(
            institution=_institution_ref(changed),
            returned_by=PersonRef(
                personal_code=app.applicant.personal_code,
                full_name=app.applicant.full_name or UNNAMED,
            ),
            learner=_learner_ref(changed),
            item=_item_ref(changed),
            condition=condition.value,
            condition_note=note,
            received_by=actor.name,
            returned_at=now,
        )
        return await self._commit(
            app, changed, actor, cid, extra=[_render(document_id, changed, content, lang, cid)]
        )

    async def close_incident(
        self, identity: Identity, app_id: str, version: int, incident_id: UUID, note: str, cid: str
    ) -> Application:
        app = await self.institutions(identity, app_id, version)
        with refusals():
            changed = workflow.close_incident(
                app, incident_id, note, actor_of(identity), self.clock()
            )
        return await self._commit(app, changed, actor_of(identity), cid)

    # --- consumers -------------------------------------------------------------
    async def on_verdicts(self, batch: Sequence[Delivery[EligibilityVerdict]]) -> None:
        """Apply registry-reader's verdicts; a batch costs a few round trips."""
        inbox = self.runtime.inbox("verdicts")
        by_event = {d.event.event_id: d for d in batch}
        fresh = await inbox.unseen(by_event)
        if not fresh:
            return
        todo = [by_event[event_id] for event_id in fresh]

        async def work(uow: UnitOfWork) -> None:
            stored = await self.store.get_many(
                (str(d.event.payload.application_id) for d in todo), uow.session
            )
            current = dict(stored)
            for d in todo:
                app_id = str(d.event.payload.application_id)
                app = current.get(app_id)
                if app is None:
                    continue  # purged meanwhile
                changed = workflow.apply_verdict(app, d.event.payload, SYSTEM, self.clock())
                if changed is None:
                    continue
                current[app_id] = changed
                uow.emit(
                    status_event(app, changed, d.event.correlation_id, SYSTEM), context=d.context
                )
            await self.store.apply(
                [(stored[i], app, False) for i, app in current.items() if app is not stored[i]],
                uow.session,
            )

        await inbox.apply_all(fresh, work)

    async def on_document(
        self, event_id: UUID, payload: RenderedPayload | RenderFailedPayload
    ) -> None:
        if payload.application_id is None:
            return

        async def work(uow: UnitOfWork) -> None:
            app = await self.store.get(str(payload.application_id), uow.session)
            if app is None:
                return
            now = self.clock()
            if isinstance(payload, RenderedPayload):
                changed = workflow.link_document(
                    app,
                    payload.document_id,
                    payload.number,
                    payload.sha256,
                    payload.rendered_at,
                    now,
                )
            else:
                changed = workflow.document_failed(app, payload.document_id, now)
            if changed is not None:
                await self.store.apply([(app, changed, False)], uow.session)

        await self.runtime.inbox("documents").apply_once(event_id, work)

    async def on_purge(self, order: PurgeOrdered) -> None:
        payload = order.payload
        if (
            payload.subject.kind is not PurgeSubjectKind.APPLICATION
            or ServiceName.APPLICATIONS not in payload.owners
        ):
            return

        async def work(uow: UnitOfWork) -> None:
            deleted = await self.store.delete(payload.subject.id, uow.session)
            confirmation = PurgeConfirmed(
                producer=PRODUCER,
                correlation_id=order.correlation_id,
                causation_id=order.event_id,
                payload=PurgeConfirmedPayload(
                    order_id=payload.order_id,
                    owner=ServiceName.APPLICATIONS,
                    subject=payload.subject,
                    deleted=deleted,
                    confirmed_at=self.clock(),
                ),
            )
            uow.emit(confirmation)

        await self.runtime.inbox("purges").apply_once(order.event_id, work)


def _at_version(app: Application, version: int | None) -> Application:
    """``app`` if the client's change is based on its current version."""
    if version is not None and version != app.version:
        raise ApiError(
            409,
            "stale_version",
            "The application changed meanwhile; reload it and try again.",
            {"current_version": app.version},
        )
    return app


def _institution_ref(app: Application) -> InstitutionRef:
    assert app.institution
    i = app.institution
    return InstitutionRef(
        institution_id=i.institution_id,
        name=i.name,
        registration_number=i.registration_number,
        address=i.address,
    )


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
