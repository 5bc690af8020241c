"""Use case "verify eligibility": for each application submitted, the
registers' facts, the rules' verdict, and the access-log entry of the learner
whose data was read; verdicts and log entries are stored as one unit of work
with the inbox records. Requests arrive in batches (``edu_runtime.batches``):
a batch costs a handful of reads, not a handful per request."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

from edu_contracts.applications import (
    ApplicantRole,
    ApplicationEvent,
    VerificationRequested,
    VerificationRequestedPayload,
)
from edu_contracts.my_data import RepresentationBasis
from edu_contracts.registry import EligibilityVerdict, EligibilityVerdictPayload
from edu_contracts.services import ServiceName
from edu_runtime.batches import Delivery
from edu_runtime.consumer import Inbox
from edu_runtime.projection import project
from edu_runtime.unit_of_work import UnitOfWork

from edu_registry_reader.adapters.store import AccessRecord, RegisterStore
from edu_registry_reader.domain import rules
from edu_registry_reader.domain.records import PersonRecord
from edu_registry_reader.domain.rules import EligibilityFacts

CONSUMER = "eligibility"


class EligibilityVerification:
    def __init__(self, store: RegisterStore, inbox: Inbox) -> None:
        self._store = store
        self._inbox = inbox

    async def verify(self, batch: Sequence[Delivery[ApplicationEvent]]) -> None:
        """Answer every verification request of ``batch`` not answered before."""
        # Status changes are the applications service's business.
        requests = {
            d.event.event_id: (d, d.event)
            for d in batch
            if isinstance(d.event, VerificationRequested)
        }
        fresh = await self._inbox.unseen(requests)
        if not fresh:
            return
        todo = [requests[event_id] for event_id in fresh]
        # The registers are read outside the transaction: they are read-only
        # here, and a redelivery re-reads them, which is what a re-check should do.
        all_facts, persons = await gather_facts(
            self._store, [request.payload for _, request in todo]
        )
        now = dt.datetime.now(dt.UTC)
        verdicts: list[EligibilityVerdict] = []
        reads: list[AccessRecord] = []
        for (_, request), facts in zip(todo, all_facts, strict=True):
            verdicts.append(verdict_for(request, facts, now))
            applicant = persons.get(request.payload.applicant_code)
            reads.append(
                access_record(request, facts, applicant.full_name if applicant else None, now)
            )

        async def save(uow: UnitOfWork) -> None:
            await self._store.log_access(reads, uow.session)
            for (delivery, _), verdict in zip(todo, verdicts, strict=True):
                uow.emit(verdict, context=delivery.context)  # each request's trace goes on

        await self._inbox.apply_all(fresh, save)


async def gather_facts(
    store: RegisterStore, requests: Sequence[VerificationRequestedPayload]
) -> tuple[list[EligibilityFacts], dict[str, PersonRecord]]:
    """The registers' facts for each request (and the persons involved), with
    as few reads as the registers' keys allow: persons, institutions and offers
    by ``_id`` for the whole batch; relations, enrolments and employments per
    person, concurrently."""
    persons, institutions, offers = await asyncio.gather(
        store.persons(code for p in requests for code in (p.applicant_code, p.learner_code)),
        store.institutions(p.institution_id for p in requests),
        store.offers_by_id(p.resource_offer_id for p in requests),
    )

    async def facts_of(p: VerificationRequestedPayload) -> EligibilityFacts:
        return project(
            EligibilityFacts,
            p,
            learner=persons.get(p.learner_code),
            relations=await store.relations(p.applicant_code, p.learner_code)
            if p.applicant_code != p.learner_code
            else [],
            enrolments=await store.enrolments(p.learner_code),
            employments=await store.employments(p.applicant_code)
            if p.role is ApplicantRole.EMPLOYEE
            else [],
            institution=institutions.get(p.institution_id),
            offer=offers.get(p.resource_offer_id),
        )

    return list(await asyncio.gather(*(facts_of(p) for p in requests))), persons


def verdict_for(
    request: VerificationRequested, facts: EligibilityFacts, now: dt.datetime
) -> EligibilityVerdict:
    outcome = rules.evaluate(facts, rules.today_in_latvia(now))
    return EligibilityVerdict(
        producer=ServiceName.REGISTRY_READER,
        correlation_id=request.correlation_id,
        causation_id=request.event_id,
        payload=project(
            EligibilityVerdictPayload,
            outcome,
            application_id=request.payload.application_id,
            request_event_id=request.event_id,
            checked_at=now,
        ),
    )


def access_record(
    request: VerificationRequested,
    facts: EligibilityFacts,
    applicant_name: str | None,
    now: dt.datetime,
) -> AccessRecord:
    """The learner's data was read on the applicant's behalf: it goes in the
    learner's access log like any other read."""
    p = request.payload
    basis = RepresentationBasis.SELF
    if p.applicant_code != p.learner_code:
        relation = rules.valid_basis(
            facts.relations,
            facts.learner.birth_date if facts.learner else None,
            rules.today_in_latvia(now),
        )
        basis = rules.basis_of(relation.basis) if relation else RepresentationBasis.MINOR_CHILD
    return AccessRecord(
        subject_code=p.learner_code,
        viewer_code=p.applicant_code,
        viewer_name=applicant_name or "—",
        basis=basis,
        blocks=("person", "institutions"),
        purpose="application_verification",
        at=now,
    )
