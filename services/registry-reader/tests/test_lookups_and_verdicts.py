"""The wizard lookups over HTTP, and eligibility verdicts over Kafka."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from edu_contracts import topics
from edu_contracts.applications import (
    ApplicantRole,
    VerificationRequested,
    VerificationRequestedPayload,
)
from edu_contracts.registry import EligibilityVerdict
from edu_contracts.registry_api import ResourceTargetGroup
from edu_registry_reader.domain.records import ResourceOfferRecord
from edu_tools.backends import Backends
from edu_tools.testing import eventually

from .conftest import P, Registry

LEARNER_INSTITUTIONS = "/api/v1/lookups/learner-institutions"


async def test_learner_institutions_for_self_and_represented(registry: Registry) -> None:
    w = registry.world

    async def enrolments(who: P, body: dict[str, Any]) -> Any:
        return await registry.post(LEARNER_INSTITUTIONS, who, json=body)

    r = await enrolments(w.parent, {"learner_code": w.child.code})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["learner_code"] == w.child.code
    [item] = body["items"]
    assert item["class_group"] == "4.b"
    assert item["institution"]["institution_id"] == w.school
    assert item["institution"]["eligible_for_applications"] is True

    # Oneself (by code, null or {}): only the current enrolment, not the finished one.
    for own in ({"learner_code": w.adult_learner.code}, {"learner_code": None}, {}):
        r = await enrolments(w.adult_learner, own)
        assert r.status_code == 200, r.text
        assert r.json()["learner_code"] == w.adult_learner.code
        assert [i["institution"]["institution_id"] for i in r.json()["items"]] == [w.school]

    for who, whom in ((w.stranger, w.child), (w.parent, w.child_18_yesterday)):
        r = await enrolments(who, {"learner_code": whom.code})
        assert (r.status_code, r.json()["reason"]) == (403, "not_represented")
    r = await enrolments(w.parent, {"learner_code": "12345"})
    assert (r.status_code, r.json()["reason"]) == (422, "personal_code_format")
    r = await enrolments(w.parent, {"person_code": w.child.code})
    assert (r.status_code, r.json()["reason"]) == (422, "unknown_field")
    # The personal code is no longer taken in the path (it would reach proxies' logs).
    r = await registry.get(f"/api/v1/lookups/learners/{w.child.code}/institutions", w.parent)
    assert r.status_code == 404


async def test_employee_institutions(registry: Registry) -> None:
    w = registry.world
    r = await registry.get("/api/v1/lookups/employees/me/institutions", w.employee)
    assert r.status_code == 200
    assert r.json()["learner_code"] == w.employee.code
    assert [i["institution"]["name"] for i in r.json()["items"]] == ["Rīgas Ķengaraga vidusskola"]
    r = await registry.get("/api/v1/lookups/employees/me/institutions", w.stranger)
    assert r.json()["items"] == []


async def test_institution_and_offers(registry: Registry) -> None:
    w = registry.world
    r = await registry.get(f"/api/v1/lookups/institutions/{w.private_school}", w.stranger)
    assert r.status_code == 200
    assert r.json()["founder_type"] == "private"
    assert r.json()["eligible_for_applications"] is False
    r = await registry.get(f"/api/v1/lookups/institutions/{w.closed_school}", w.stranger)
    assert r.json()["accepting_applications"] is False
    r = await registry.get("/api/v1/lookups/institutions/NOPE-1", w.stranger)
    assert (r.status_code, r.json()["reason"]) == (404, "institution_not_found")

    r = await registry.get(f"/api/v1/lookups/institutions/{w.school}/resource-offers", w.parent)
    assert r.status_code == 200
    offers = {o["offer_id"]: o["target_group"] for o in r.json()["items"]}
    assert offers == {w.laptop: "everyone", w.tablet: "socially_supported"}
    r = await registry.get("/api/v1/lookups/institutions/NOPE-1/resource-offers", w.parent)
    assert r.status_code == 404


async def test_step_4_lists_only_the_offers_the_learner_may_get(registry: Registry) -> None:
    """An offer the school limits to some classes or programmes is listed to a
    learner in one of them only; the learner is named in the body."""
    w = registry.world
    offers = {
        "TST-PSK-02-6A": ("6.a",),  # the ward's class
        "TST-PSK-02-9C": ("9.c",),
        "TST-PSK-02-PROG": ("pamatizglītības programma",),  # the ward's programme, any case
        "TST-PSK-02-ALL": (),
    }
    await registry.db[ResourceOfferRecord.COLLECTION].insert_many(
        [
            ResourceOfferRecord(
                offer_id=offer_id,
                institution_id=w.closed_school,
                resource_type="laptop",
                description="Dators",
                target_group=ResourceTargetGroup.EVERYONE,
                for_groups=groups,
            ).to_doc()
            for offer_id, groups in offers.items()
        ]
    )
    path = f"/api/v1/lookups/institutions/{w.closed_school}/resource-offers"
    try:
        # Without a learner (the verification's view): every offer.
        r = await registry.get(path, w.guardian)
        assert {o["offer_id"] for o in r.json()["items"]} == set(offers)

        async def listed(who: P, learner: P | None) -> Any:
            body = {"learner_code": learner.code if learner else None}
            return await registry.post(f"{path}/for-learner", who, json=body)

        r = await listed(w.guardian, w.ward)
        assert r.status_code == 200, r.text
        assert [o["offer_id"] for o in r.json()["items"]] == [
            "TST-PSK-02-6A",
            "TST-PSK-02-ALL",
            "TST-PSK-02-PROG",
        ]
        # Oneself, enrolled nowhere there: only the offer for every learner.
        r = await listed(w.guardian, None)
        assert [o["offer_id"] for o in r.json()["items"]] == ["TST-PSK-02-ALL"]
        # Not one's to ask about; a bad code; a field the body does not have.
        r = await listed(w.stranger, w.ward)
        assert (r.status_code, r.json()["reason"]) == (403, "not_represented")
        r = await registry.post(f"{path}/for-learner", w.guardian, json={"learner_code": "1"})
        assert r.status_code == 422, r.text
        r = await registry.post(f"{path}/for-learner", w.guardian, json={"class_group": "6.a"})
        assert r.status_code == 422, r.text
        r = await registry.post(
            "/api/v1/lookups/institutions/NOPE-1/resource-offers/for-learner",
            w.guardian,
            json={"learner_code": w.ward.code},
        )
        assert (r.status_code, r.json()["reason"]) == (404, "institution_not_found")
    finally:
        await registry.db[ResourceOfferRecord.COLLECTION].delete_many(
            {"_id": {"$in": list(offers)}}
        )


async def test_lookups_revealing_a_person_are_in_their_access_log(registry: Registry) -> None:
    w = registry.world
    r = await registry.post(LEARNER_INSTITUTIONS, w.guardian, json={"learner_code": w.ward.code})
    assert r.status_code == 200, r.text
    await registry.accept_terms(w.ward)
    r = await registry.get("/api/v1/my-data/access-log", w.ward)
    purposes = {(e["viewer_name"], e["purpose"], e["basis"]) for e in r.json()["items"]}
    assert ("Oļegs Kuzņecovs", "application_wizard", "guardianship") in purposes


# --- eligibility verdicts ------------------------------------------------------


def request(
    applicant: P,
    learner: P,
    institution: str,
    offer: str,
    role: ApplicantRole = ApplicantRole.PARENT_OR_GUARDIAN,
    socially_supported: bool = False,
) -> VerificationRequested:
    return VerificationRequested(
        producer="test",
        correlation_id=f"verdict-{uuid.uuid4().hex[:8]}",
        payload=VerificationRequestedPayload(
            application_id=uuid.uuid4(),
            applicant_code=applicant.code,
            role=role,
            learner_code=learner.code,
            institution_id=institution,
            resource_offer_id=offer,
            socially_supported=socially_supported,
            requested_at=dt.datetime.now(dt.UTC),
        ),
    )


async def verdicts_for(
    edu_backends: Backends, requests: list[VerificationRequested], *, copies: int = 1
) -> dict[uuid.UUID, list[EligibilityVerdict]]:
    """Publish the requests (each ``copies`` times) and collect every verdict
    about them until each has one."""
    consumer = AIOKafkaConsumer(
        topics.REGISTRY_VERDICTS,
        bootstrap_servers=edu_backends.kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
    await consumer.start()
    await producer.start()
    wanted = {r.payload.application_id for r in requests}
    found: dict[uuid.UUID, list[EligibilityVerdict]] = {}
    try:
        for req in requests:
            for _ in range(copies):
                await producer.send_and_wait(
                    topics.APPLICATION_EVENTS,
                    req.model_dump_json().encode(),
                    key=req.partition_key().encode(),
                    headers=[("content-type", b"application/json")],
                )
        async with asyncio.timeout(20):
            async for msg in consumer:
                verdict = EligibilityVerdict.model_validate_json(msg.value)
                if verdict.payload.application_id in wanted:
                    found.setdefault(verdict.payload.application_id, []).append(verdict)
                if set(found) == wanted:
                    break
        if copies > 1:
            # No waiting for a duplicate verdict to show up: a later request
            # about the same application (same key, so the same partition, in
            # order through the consumer and the outbox) is answered after any
            # verdict of the copies, so once it is, every such verdict is here.
            later = {
                r.payload.application_id: r.model_copy(update={"event_id": uuid.uuid4()})
                for r in requests
            }
            for req in later.values():
                await producer.send_and_wait(
                    topics.APPLICATION_EVENTS,
                    req.model_dump_json().encode(),
                    key=req.partition_key().encode(),
                    headers=[("content-type", b"application/json")],
                )
            answered: set[uuid.UUID] = set()
            async with asyncio.timeout(20):
                async for msg in consumer:
                    verdict = EligibilityVerdict.model_validate_json(msg.value)
                    app_id = verdict.payload.application_id
                    if app_id in later and verdict.causation_id == later[app_id].event_id:
                        answered.add(app_id)
                    elif app_id in wanted:
                        found[app_id].append(verdict)
                    if answered == wanted:
                        break
    finally:
        await producer.stop()
        await consumer.stop()
    return found


async def test_eligibility_verdicts_over_kafka(registry: Registry, edu_backends: Backends) -> None:
    w = registry.world
    ok = request(w.parent, w.child, w.school, w.laptop)
    needs_support = request(w.parent, w.child, w.school, w.tablet)
    supported = request(w.parent, w.child, w.school, w.tablet, socially_supported=True)
    stranger = request(w.stranger, w.child, w.closed_school, w.tablet)
    grown_up = request(w.parent, w.child_18_yesterday, w.school, w.laptop)
    adult = request(
        w.adult_learner, w.adult_learner, w.school, w.laptop, ApplicantRole.ADULT_LEARNER
    )
    minor_as_adult = request(w.child, w.child, w.school, w.laptop, ApplicantRole.ADULT_LEARNER)
    teacher = request(w.employee, w.employee, w.school, w.laptop, ApplicantRole.EMPLOYEE)
    teacher_elsewhere = request(
        w.employee,
        w.employee,
        w.private_school,
        f"{w.private_school}-LAPTOP",
        ApplicantRole.EMPLOYEE,
    )
    unknown = request(w.guardian, w.ward, "NOPE-9", "NOPE-9-LAPTOP")
    cases = [
        ok, needs_support, supported, stranger, grown_up, adult, minor_as_adult, teacher,
        teacher_elsewhere, unknown,
    ]  # fmt: skip
    found = await verdicts_for(edu_backends, cases)

    def outcome(req: VerificationRequested) -> tuple[bool, set[str]]:
        [verdict] = found[req.payload.application_id]
        assert verdict.payload.request_event_id == req.event_id
        assert verdict.causation_id == req.event_id
        assert verdict.correlation_id == req.correlation_id
        return verdict.payload.eligible, {r.value for r in verdict.payload.reasons}

    assert outcome(ok) == (True, set())
    [v] = found[ok.payload.application_id]
    assert v.payload.learner_full_name == "Jānis Bērziņš"
    assert v.payload.institution_name == "Rīgas Ķengaraga vidusskola"
    assert v.payload.resource_type == "laptop"
    assert outcome(needs_support) == (False, {"target_group_mismatch"})
    assert outcome(supported) == (True, set())
    assert outcome(stranger) == (
        False,
        {"not_represented", "not_enrolled", "institution_not_accepting", "resource_not_offered"},
    )
    assert outcome(grown_up) == (False, {"not_represented", "learner_not_minor"})
    assert outcome(adult) == (True, set())
    assert outcome(minor_as_adult) == (False, {"applicant_not_adult"})
    assert outcome(teacher) == (True, set())
    assert outcome(teacher_elsewhere) == (False, {"not_employed", "institution_not_eligible"})
    assert outcome(unknown) == (
        False,
        {"not_enrolled", "institution_unknown", "resource_not_offered"},
    )
    [v] = found[unknown.payload.application_id]
    assert v.payload.institution_name is None
    assert v.payload.learner_full_name == "Ļuba Kuzņecova"


async def test_a_request_delivered_twice_gets_one_verdict(
    registry: Registry, edu_backends: Backends
) -> None:
    w = registry.world
    req = request(w.parent, w.child, w.school, w.laptop)
    found = await verdicts_for(edu_backends, [req], copies=2)
    assert len(found[req.payload.application_id]) == 1

    async def recorded() -> Any:
        return await registry.db.inbox.count_documents({"_id": {"$regex": str(req.event_id)}})

    assert await eventually(recorded) == 1
