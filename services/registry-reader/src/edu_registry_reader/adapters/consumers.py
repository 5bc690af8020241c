"""Kafka consumer of registry-reader: eligibility verdicts for submitted applications."""

from __future__ import annotations

import datetime as dt

from edu_contracts import topics
from edu_contracts.applications import ApplicationEvent, VerificationRequested
from edu_contracts.my_data import RepresentationBasis
from edu_contracts.registry import EligibilityVerdict, EligibilityVerdictPayload
from edu_contracts.services import ServiceName
from edu_runtime.runtime import ServiceRuntime
from pymongo.asynchronous.client_session import AsyncClientSession

from edu_registry_reader.adapters.store import AccessRecord, RegisterStore
from edu_registry_reader.domain import rules
from edu_registry_reader.domain.rules import EligibilityFacts


async def gather_facts(store: RegisterStore, event: VerificationRequested) -> EligibilityFacts:
    p = event.payload
    return EligibilityFacts(
        role=p.role,
        applicant_code=p.applicant_code,
        learner_code=p.learner_code,
        institution_id=p.institution_id,
        resource_offer_id=p.resource_offer_id,
        socially_supported=p.socially_supported,
        learner=await store.person(p.learner_code),
        relations=await store.relations(p.applicant_code, p.learner_code),
        enrolments=await store.enrolments(p.learner_code),
        employments=await store.employments(p.applicant_code),
        institution=await store.institution(p.institution_id),
        offer=await store.offer(p.resource_offer_id),
    )


def register_consumers(runtime: ServiceRuntime, store: RegisterStore) -> None:
    inbox = runtime.inbox("eligibility")

    @runtime.subscriber(topics.APPLICATION_EVENTS, "eligibility")
    async def on_application_event(event: ApplicationEvent) -> None:
        if not isinstance(event, VerificationRequested):
            return  # status changes are the applications service's business
        # The register is read outside the transaction: it is read-only here,
        # and a redelivery re-reads it, which is what a re-check should do.
        facts = await gather_facts(store, event)
        now = dt.datetime.now(dt.UTC)
        outcome = rules.evaluate(facts, rules.today_in_latvia(now))
        verdict = EligibilityVerdict(
            producer=ServiceName.REGISTRY_READER,
            correlation_id=event.correlation_id,
            causation_id=event.event_id,
            payload=EligibilityVerdictPayload(
                application_id=event.payload.application_id,
                request_event_id=event.event_id,
                eligible=outcome.eligible,
                reasons=outcome.reasons,
                learner_full_name=outcome.learner_full_name,
                institution_name=outcome.institution_name,
                resource_type=outcome.resource_type,
                checked_at=now,
            ),
        )
        p = event.payload
        applicant = (
            facts.learner
            if p.applicant_code == p.learner_code
            else await store.person(p.applicant_code)
        )
        basis = RepresentationBasis.SELF
        if p.applicant_code != p.learner_code:
            relation = rules.valid_basis(
                facts.relations,
                facts.learner.birth_date if facts.learner else None,
                rules.today_in_latvia(now),
            )
            basis = rules.basis_of(relation.basis) if relation else RepresentationBasis.MINOR_CHILD
        # The learner's data was read on the applicant's behalf: it goes in the
        # learner's access log like any other read.
        record = AccessRecord(
            subject_code=p.learner_code,
            viewer_code=p.applicant_code,
            viewer_name=applicant.full_name if applicant else "—",
            basis=basis,
            blocks=("person", "institutions"),
            purpose="application_verification",
            at=now,
        )

        async def work(session: AsyncClientSession) -> None:
            await store.log_access([record], session)
            await runtime.emit(session, verdict)

        if await inbox.apply_once(event.event_id, work):
            runtime.outbox.notify()
