"""Use cases of the applications service, one method each: load the
application, let the domain (``domain/workflow.py``) decide, save the result
and the events it causes (``commits.py``, one unit of work).

The HTTP and Kafka adapters call these; they hold no rules of their own.
Refusals are domain errors (``domain/errors.py``); the HTTP adapter maps them
to statuses.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from uuid import UUID, uuid4

from edu_contracts.applications import ApplicantRole, ApplicationStatus, ReturnCondition
from edu_contracts.applications_api import IncidentKind, SocialGroup
from edu_contracts.documents import DocumentEvent, Language, RenderedPayload
from edu_contracts.envelope import Envelope
from edu_contracts.items import ItemMove
from edu_contracts.registry import EligibilityVerdict
from edu_contracts.retention import PurgeOrdered, PurgeSubjectKind
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity
from edu_runtime.batches import Delivery
from edu_runtime.pseudonym import Pseudonymizer
from edu_runtime.riga import today_in_latvia
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_applications.adapters.items_store import ItemStore
from edu_applications.adapters.metrics import FlowTimings
from edu_applications.adapters.store import ApplicationStore, ReferenceTaken
from edu_applications.adapters.upstream import ReceiptDocumentsCatalog, RegistryLookups
from edu_applications.domain import workflow
from edu_applications.domain.errors import Conflict, NotFound
from edu_applications.domain.items import RETURN_MOVES, GrantBudget, Item, stock_key_of
from edu_applications.domain.model import (
    SYSTEM,
    AcknowledgedDocument,
    Actor,
    Application,
    Contact,
    DecisionKind,
    Incident,
    IssuedItem,
    Person,
)
from edu_applications.domain.reference import reference_from
from edu_applications.service import events
from edu_applications.service.commits import ApplicationCommits, stale_version
from edu_applications.service.events import actor_of, status_event
from edu_applications.service.items import changed_event
from edu_applications.service.registers import Registers, verdict_of
from edu_applications.service.terms import TermsOfUse

REFERENCE_ATTEMPTS = 5


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ApplicationService:
    def __init__(
        self,
        runtime: ServiceRuntime,
        store: ApplicationStore,
        registry: RegistryLookups,
        receipt_documents: ReceiptDocumentsCatalog,
        items: ItemStore,
        *,
        terms_version: str,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.items = items
        self.registry = registry
        self.registers = Registers(registry)
        self.receipt_documents = receipt_documents
        self.clock = clock
        self.terms = TermsOfUse(
            store,
            Pseudonymizer(runtime.settings.pseudonym_key.get_secret_value().encode()),
            version=terms_version,
            clock=clock,
        )
        self.commits = ApplicationCommits(
            store,
            runtime.units,
            items,
            observe_batch=runtime.metrics.group_commit("applications"),
        )
        self.timings = FlowTimings(runtime.metrics)

    async def _save(
        self,
        before: Application | None,
        after: Application,
        actor: Actor,
        cid: str,
        *,
        extra: Sequence[Envelope] = (),
        take_slot: bool = False,
        check_slot: bool = False,
        item_move: ItemMove | None = None,
    ) -> Application:
        """Save a change and its events: the status change (if any) and ``extra``;
        ``item_move``: the register's item lent under the application moves with
        it, in the same transaction."""
        events_: list[Envelope] = list(extra)
        if before is None or before.status is not after.status:
            events_.append(status_event(before, after, cid, actor))
        moved = await self._moved_item(after, item_move, actor, cid) if item_move else None
        if moved is not None:
            events_.append(changed_event(moved[1], cid))
        return await self.commits.save(
            before,
            after,
            events_,
            take_slot=take_slot,
            check_slot=check_slot,
            items=() if moved is None else (moved,),
        )

    async def _moved_item(
        self, app: Application, move: ItemMove, actor: Actor, cid: str
    ) -> tuple[int, Item] | None:
        """The application's register item after ``move`` (None for an item
        typed in by hand before the register, which has nothing to move)."""
        if app.item is None or app.item.item_id is None:
            return None
        item = await self.items.get(app.institution_id or "", app.item.item_id)
        if item is None:
            return None  # written off and purged; the application still moves
        after = item.move(
            move,
            at=self.clock(),
            by=actor.name,
            why=app.reference or str(app.id),
            application_id=app.id,
        )
        return item.version, after

    # --- reading -----------------------------------------------------------
    async def own(self, identity: Identity, app_id: str, version: int | None = None) -> Application:
        """The caller's application (404 for anyone else's, as if it did not exist)."""
        app = await self.store.get(app_id)
        if app is None or app.applicant.personal_code != identity.personal_code:
            raise NotFound("application_not_found", "No such application.")
        return _at_version(app, version)

    async def applications_of(
        self, identity: Identity, limit: int, offset: int
    ) -> tuple[list[Application], int]:
        """The caller's applications, newest first, and how many there are."""
        return await self.store.list_for_applicant(identity.personal_code, limit, offset)

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
            raise NotFound("application_not_found", "No such application.")
        return _at_version(app, version)

    # --- wizard ------------------------------------------------------------
    async def create_draft(
        self,
        identity: Identity,
        role: ApplicantRole,
        learner_code: str | None,
        cid: str,
        language: Language = Language.LV,
    ) -> Application:
        """Step 1 (profile): a draft for yourself or for a child you represent."""
        await self.terms.require(identity)
        applicant = Person(personal_code=identity.personal_code, full_name=identity.full_name)
        code = workflow.learner_code_of(
            role, applicant, learner_code, today_in_latvia(self.clock())
        )
        institutions: frozenset[str] = frozenset()
        if role is ApplicantRole.PARENT_OR_GUARDIAN:
            learner = workflow.represented(await self.registers.represented_learner(identity, code))
        else:
            learner = applicant
            institutions = frozenset(
                workflow.represented(await self.registers.institution_ids(identity, role, code))
            )
        for _ in range(REFERENCE_ATTEMPTS):
            app = workflow.start_draft(
                app_id=uuid4(),
                reference=reference_from(secrets.randbits(40)),
                role=role,
                applicant=applicant,
                learner=learner,
                institutions=institutions,
                actor=actor_of(identity),
                now=self.clock(),
                language=language,
            )
            try:
                return await self._save(None, app, actor_of(identity), cid)
            except ReferenceTaken:
                continue  # one in ~10^12 per stored application: draw a new one
        # Only a broken random source gets here: a clear refusal, not a 500.
        raise Conflict("reference_unavailable", "No free application number; try again.")

    async def choose_institution(
        self, identity: Identity, app_id: str, version: int, institution_id: str, cid: str
    ) -> Application:
        await self.terms.require(identity)
        app = await self.own(identity, app_id, version)
        institution = await self.registers.institution(identity, institution_id)
        available = (
            await self.registers.institution_ids(identity, app.role, app.learner.personal_code)
            if institution is not None
            else None
        )
        if institution is not None and available:
            # The learner's class there goes with the application (staff filter by it).
            institution = institution.model_copy(
                update={"class_group": available.get(institution.institution_id)}
            )
        changed = workflow.choose_institution(app, institution, available, self.clock())
        return await self._save(app, changed, actor_of(identity), cid)

    async def set_social_status(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        supported: bool,
        group: SocialGroup | None,
        cid: str,
    ) -> Application:
        await self.terms.require(identity)
        app = await self.own(identity, app_id, version)
        changed = workflow.set_social_status(app, supported, group, self.clock())
        return await self._save(app, changed, actor_of(identity), cid)

    async def choose_resource(
        self, identity: Identity, app_id: str, version: int, offer_id: str, cid: str
    ) -> Application:
        await self.terms.require(identity)
        app = await self.own(identity, app_id, version)
        offers = (
            await self.registers.offers(identity, app.institution.institution_id)
            if app.institution
            else []
        )
        changed = workflow.choose_resource(app, offers, offer_id, self.clock())
        return await self._save(app, changed, actor_of(identity), cid, check_slot=True)

    async def acknowledge_documents(
        self,
        identity: Identity,
        app_id: str,
        version: int,
        acknowledged: list[tuple[str, str]],
        lang: Language,
        cid: str,
    ) -> Application:
        await self.terms.require(identity)
        app = await self.own(identity, app_id, version)
        catalog = await self.receipt_documents.current(identity.token, lang.value)
        current = [
            AcknowledgedDocument(code=d.code, title=d.title, version=d.version)
            for d in catalog.items
        ]
        changed = workflow.acknowledge_documents(app, current, acknowledged, self.clock())
        return await self._save(app, changed, actor_of(identity), cid)

    async def update_contact(
        self, identity: Identity, app_id: str, version: int, contact: Contact, cid: str
    ) -> Application:
        await self.terms.require(identity)
        app = await self.own(identity, app_id, version)
        changed = workflow.update_contact(app, contact, self.clock())
        return await self._save(app, changed, actor_of(identity), cid)

    async def submit(self, identity: Identity, app_id: str, version: int, cid: str) -> Application:
        """Step 7: the application goes to verification; it takes its learner's
        slot for the resource type (one open application each)."""
        await self.terms.require(identity)
        app = await self.own(identity, app_id, version)
        actor = actor_of(identity)
        now = self.clock()
        request_id = uuid4()
        changed = workflow.submit(app, actor, now, request_id)
        request = events.verification_requested(changed, request_id, cid, now)
        return await self._save(app, changed, actor, cid, extra=[request], take_slot=True)

    # --- after submission (citizen) ------------------------------------------
    async def withdraw(
        self, identity: Identity, app_id: str, version: int, reason: str | None, cid: str
    ) -> Application:
        app = await self.own(identity, app_id, version)
        changed = workflow.withdraw(app, actor_of(identity), self.clock(), reason)
        # Withdrawn once its item was set aside: the item goes back on the shelf.
        release = ItemMove.RELEASE if app.status is ApplicationStatus.READY_FOR_ISSUE else None
        return await self._save(app, changed, actor_of(identity), cid, item_move=release)

    async def confirm_receipt(
        self, identity: Identity, app_id: str, version: int, lang: Language, cid: str
    ) -> Application:
        app = await self.own(identity, app_id, version)
        actor = actor_of(identity)
        now = self.clock()
        document_id = uuid4()
        changed = workflow.confirm_receipt(app, actor, now, document_id)
        act = events.handover_act(document_id, changed, identity, now, lang, cid)
        return await self._save(app, changed, actor, cid, extra=[act], item_move=ItemMove.ISSUE)

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
        changed, incident = workflow.report_incident(
            app, kind, description, occurred_on, actor_of(identity), self.clock()
        )
        reported = events.incident_reported(changed, incident, cid)
        saved = await self._save(app, changed, actor_of(identity), cid, extra=[reported])
        return saved, incident

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
        changed = workflow.decide(app, kind, reason, until, actor_of(identity), self.clock())
        return await self._save(app, changed, actor_of(identity), cid)

    async def grant_within(
        self, identity: Identity, app_id: str, version: int, budget: GrantBudget, cid: str
    ) -> Application:
        """A grant (as ``decide``) that takes one free item of the application's
        type and target group from ``budget`` (a bulk grant's): ``OutOfStock``,
        nothing changed, when none is left. The other refusals come first, so
        an application that could not be granted anyway uses up nothing."""
        app = await self.institutions(identity, app_id, version)
        actor, now = actor_of(identity), self.clock()
        changed = workflow.decide(app, DecisionKind.GRANT, None, None, actor, now)
        resource = app.resource
        key = stock_key_of(resource.resource_type, resource.target_group) if resource else None
        budget.take(key)
        try:
            return await self._save(app, changed, actor, cid)
        except BaseException:
            budget.give_back(key)
            raise

    async def reserve_item(
        self, identity: Identity, app_id: str, version: int, item_id: UUID, cid: str
    ) -> Application:
        """Ready for issue with an item from the register: it must be available
        and of the type and target group the application is for. Reserved in the
        same transaction (``item_taken`` if someone was first)."""
        app = await self.institutions(identity, app_id, version)
        item = await self.items.get(app.institution_id or "", item_id)
        if item is None:
            raise NotFound("item_not_found", "Your institution has no such item.")
        if app.resource is not None and (
            item.resource_type.value != app.resource.resource_type
            or item.target_group is not app.resource.target_group
        ):
            raise Conflict(
                "item_does_not_match",
                "The item is not of the resource type or target group the application is for.",
            )
        issued = IssuedItem(
            model=item.model,
            inventory_number=item.inventory_number,
            serial_number=item.serial_number,
            item_id=item.item_id,
        )
        changed = workflow.mark_ready(app, issued, actor_of(identity), self.clock())
        return await self._save(app, changed, actor_of(identity), cid, item_move=ItemMove.RESERVE)

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
        changed = workflow.record_return(
            app, condition, note, returned_on or today_in_latvia(now), actor, now, document_id
        )
        act = events.return_act(document_id, changed, condition, note, actor, now, lang, cid)
        return await self._save(
            app, changed, actor, cid, extra=[act], item_move=RETURN_MOVES[condition]
        )

    async def close_incident(
        self, identity: Identity, app_id: str, version: int, incident_id: UUID, note: str, cid: str
    ) -> Application:
        app = await self.institutions(identity, app_id, version)
        changed = workflow.close_incident(app, incident_id, note, actor_of(identity), self.clock())
        return await self._save(app, changed, actor_of(identity), cid)

    # --- what other services tell us -------------------------------------------
    async def apply_verdicts(self, batch: Sequence[Delivery[EligibilityVerdict]]) -> None:
        """registry-reader's verdicts move submitted applications on; a batch
        costs a few round trips. Each status change continues its verdict's trace."""
        inbox = self.runtime.inbox("verdicts")
        by_event = {d.event.event_id: d for d in batch}
        fresh = await inbox.unseen(by_event)
        if not fresh:
            return
        todo = [by_event[event_id] for event_id in fresh]
        verified: list[Application] = []  # as they were before their verdict

        async def save(uow: UnitOfWork) -> None:
            verified.clear()  # a retried unit of work starts again
            stored = await self.store.get_many(
                (str(d.event.payload.application_id) for d in todo), uow.session
            )
            current = dict(stored)
            for d in todo:
                app_id = str(d.event.payload.application_id)
                app = current.get(app_id)
                if app is None:
                    continue  # purged meanwhile
                verdict = verdict_of(d.event.payload)
                changed = workflow.apply_verdict(app, verdict, SYSTEM, self.clock())
                if changed is None:
                    continue
                current[app_id] = changed
                verified.append(app)
                uow.emit(
                    status_event(app, changed, d.event.correlation_id, SYSTEM), context=d.context
                )
            await self.store.apply(
                [(stored[i], app, False) for i, app in current.items() if app is not stored[i]],
                uow.session,
            )

        await inbox.apply_all(fresh, save)
        now = self.clock()
        for app in verified:
            self.timings.verdict_applied(app, now)

    async def record_documents(self, batch: Sequence[Delivery[DocumentEvent]]) -> None:
        """Handover and return acts rendered (or failed) for applications: linked,
        a batch in one transaction with its inbox records (at a school's
        counter many receipts come at once)."""
        inbox = self.runtime.inbox("documents")
        by_event = {d.event.event_id: d.event.payload for d in batch}
        fresh = await inbox.unseen(by_event)
        todo = [by_event[event_id] for event_id in fresh]
        linked: list[tuple[Application, UUID]] = []  # as each was before its act was linked

        async def save(uow: UnitOfWork) -> None:
            linked.clear()  # a retried unit of work starts again
            wanted = {str(p.application_id) for p in todo if p.application_id is not None}
            stored = await self.store.get_many(wanted, uow.session)
            current = dict(stored)
            now = self.clock()
            for payload in todo:
                app_id = str(payload.application_id)
                app = current.get(app_id)
                if app is None:
                    continue  # not an application's document, or purged meanwhile
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
                if changed is None:
                    continue
                current[app_id] = changed
                if isinstance(payload, RenderedPayload):
                    linked.append((app, payload.document_id))
            await self.store.apply(
                [(stored[i], app, False) for i, app in current.items() if app is not stored[i]],
                uow.session,
            )

        if not fresh:
            return
        await inbox.apply_all(fresh, save)
        now = self.clock()
        for app, document_id in linked:
            self.timings.act_linked(app, document_id, now)

    async def purge(self, order: PurgeOrdered) -> None:
        """Retention's order: delete the application and confirm with counts."""
        payload = order.payload
        if (
            payload.subject.kind is not PurgeSubjectKind.APPLICATION
            or ServiceName.APPLICATIONS not in payload.owners
        ):
            return

        async def save(uow: UnitOfWork) -> None:
            app = await self.store.get(payload.subject.id, uow.session)
            deleted = await self.store.delete(payload.subject.id, uow.session)
            # The register keeps its item's history (it needs it), without the
            # learner's application in it.
            if app is not None and app.item is not None and app.item.item_id is not None:
                item = await self.items.get(app.institution_id or "", app.item.item_id, uow.session)
                if item is not None:
                    await self.items.save(item.version, item.forget_learner(app.id), uow.session)
            uow.emit(events.purge_confirmed(order, deleted, self.clock()))

        await self.runtime.inbox("purges").apply_once(order.event_id, save)


def _at_version(app: Application, version: int | None) -> Application:
    """``app`` if the client's change is based on its current version."""
    if version is not None and version != app.version:
        raise stale_version(app.version)
    return app
