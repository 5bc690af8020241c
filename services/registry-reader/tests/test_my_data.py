"""'My data in the education registers' over real HTTP, MongoDB and Kafka."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer
from edu_contracts import topics
from edu_contracts.documents import RenderRequested
from edu_registry_reader.domain.records import (
    EnrolmentRecord,
    RepresentationKind,
    RepresentationRecord,
    RepresentationSource,
)
from edu_tools.backends import Backends
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .conftest import TODAY, P, Registry, new_code, old_code

NO_DATA_LV = "Valsts izglītības informācijas sistēmā nav pieejama informācija par šo personu"
NO_DATA_EN = (
    "No information about this person is available in the State Education Information System"
)


async def my_data(reg: Registry, who: P, about: P | str | None = None, **kw: Any) -> Any:
    """Your own data (GET); someone else's with their code in the body (POST)."""
    if about is None:
        return await reg.get("/api/v1/my-data", who, **kw)
    code = about.code if isinstance(about, P) else about
    return await reg.post("/api/v1/my-data/query", who, json={"person_code": code}, **kw)


async def test_data_endpoints_need_the_terms_first(registry: Registry) -> None:
    who = registry.world.stranger
    for path in ("/api/v1/my-data", "/api/v1/my-data/access-log"):
        r = await registry.get(path, who)
        assert (r.status_code, r.json()["reason"]) == (403, "terms_not_accepted")
    r = await registry.post("/api/v1/my-data/pdf", who, json={})
    assert (r.status_code, r.json()["reason"]) == (403, "terms_not_accepted")
    r = await registry.get("/api/v1/my-data", who, headers={"Accept-Language": "en"})
    assert r.json()["detail"] == "Accept the e-service terms of use first."

    r = await registry.post(
        "/api/v1/terms/my-data/acceptance", who, json={"terms_version": "1999-01-01"}
    )
    assert (r.status_code, r.json()["reason"]) == (409, "terms_version_outdated")
    await registry.accept_terms(who)
    assert (await my_data(registry, who)).status_code == 200


async def test_about_oneself_shows_only_blocks_with_data(registry: Registry) -> None:
    learner = registry.world.adult_learner
    await registry.accept_terms(learner)
    r = await my_data(registry, learner)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"] == {
        "personal_code": learner.code,
        "full_name": "Kārlis Ķēniņš",
        "basis": "self",
    }
    assert set(body["blocks"]) == {"person", "institutions", "scholarships"}  # others absent
    assert "message" not in body
    assert body["blocks"]["person"]["given_name"] == "Kārlis"
    assert body["blocks"]["person"]["birth_date"] == learner.birth.isoformat()
    institutions = body["blocks"]["institutions"]
    assert [i["institution_name"] for i in institutions] == [
        "Rīgas Ķengaraga vidusskola",  # newest first
        "Cēsu pamatskola",
    ]
    assert institutions[1]["enrolled_to"] is not None
    assert body["blocks"]["scholarships"][0]["amount_eur"] == "45.50"


async def test_minor_child_with_new_format_code(registry: Registry) -> None:
    w = registry.world
    await registry.accept_terms(w.parent)
    r = await my_data(registry, w.parent, w.child)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"]["basis"] == "minor_child"
    assert body["subject"]["full_name"] == "Jānis Bērziņš"
    assert set(body["blocks"]) == {"person", "institutions"}
    assert body["blocks"]["institutions"][0]["class_group"] == "4.b"

    # The code may come without the hyphen.
    r = await my_data(registry, w.parent, w.child.code.replace("-", ""))
    assert r.status_code == 200
    # A pre-school child: only the person and the queue.
    r = await my_data(registry, w.parent, w.toddler)
    assert set(r.json()["blocks"]) == {"person", "preschool_queue"}
    assert r.json()["blocks"]["preschool_queue"][0]["position"] == 17


async def test_minor_until_the_18th_birthday(registry: Registry) -> None:
    w = registry.world
    await registry.accept_terms(w.parent)
    r = await my_data(registry, w.parent, w.child_18_tomorrow)
    assert r.status_code == 200
    r = await my_data(registry, w.parent, w.child_18_yesterday)
    assert (r.status_code, r.json()["reason"]) == (403, "not_represented")


async def test_custody_and_guardianship(registry: Registry) -> None:
    w = registry.world
    for who, whom, basis in (
        (w.guardian, w.ward, "guardianship"),
        (w.custodian, w.adult_ward, "custody"),  # an adult under custody
    ):
        await registry.accept_terms(who)
        r = await my_data(registry, who, whom)
        assert r.status_code == 200, r.text
        assert r.json()["subject"]["basis"] == basis
    r = await my_data(registry, w.custodian, w.adult_ward)
    assert set(r.json()["blocks"]) == {"person", "documents"}
    assert r.json()["blocks"]["documents"][0]["series_and_number"] == "PA 012345"


async def test_expired_guardianship_is_refused(registry: Registry) -> None:
    w = registry.world
    await registry.accept_terms(w.expired_guardian)
    r = await my_data(registry, w.expired_guardian, w.expired_ward)
    assert (r.status_code, r.json()["reason"]) == (403, "not_represented")


async def test_no_data_message_in_latvian_and_english(registry: Registry) -> None:
    nobody = registry.world.nobody
    await registry.accept_terms(nobody)
    r = await my_data(registry, nobody)
    assert r.status_code == 200
    assert r.json()["blocks"] == {}
    assert r.json()["message"] == NO_DATA_LV
    r = await my_data(registry, nobody, headers={"Accept-Language": "en-GB,en;q=0.9,lv;q=0.5"})
    assert r.json()["message"] == NO_DATA_EN
    r = await my_data(registry, nobody, params={"lang": "en"})
    assert r.json()["message"] == NO_DATA_EN
    r = await my_data(registry, nobody, headers={"Accept-Language": "lv-LV, en;q=0.8"})
    assert r.json()["message"] == NO_DATA_LV


async def test_malformed_codes_of_both_formats(registry: Registry) -> None:
    parent = registry.world.parent
    await registry.accept_terms(parent)
    good_old = old_code(dt.date(2012, 3, 4))
    bad_check = good_old[:-1] + str((int(good_old[-1]) + 1) % 10)
    cases = {
        "12345": "personal_code_format",
        "32123-45678": "personal_code_format",  # new format, a digit short
        "32A234-56789": "personal_code_format",
        "320000-0000x": "personal_code_format",
        "311399-12345": "personal_code_date",  # 31st of the 13th month
        "010199-32345": "personal_code_format",  # century digit 3
        bad_check: "personal_code_checksum",
    }
    for code, reason in cases.items():
        r = await my_data(registry, parent, code)
        assert r.status_code == 422, (code, r.text)
        assert r.json()["reason"] == reason, code
        assert code not in r.text or len(code) < 11  # never echoed back


async def test_someone_not_represented_is_refused_without_a_hint(registry: Registry) -> None:
    w = registry.world
    await registry.accept_terms(w.stranger)
    exists = await my_data(registry, w.stranger, w.child)
    unknown = await my_data(registry, w.stranger, new_code())
    assert exists.status_code == unknown.status_code == 403
    assert exists.json() == unknown.json()
    assert exists.json()["reason"] == "not_represented"
    # A personal code in the address is refused, loudly, not ignored (it would
    # land in proxies' and access logs): only the body names whose data.
    r = await registry.get("/api/v1/my-data", w.stranger, params={"person_code": w.child.code})
    assert (r.status_code, r.json()["reason"]) == (422, "unknown_query_parameter")
    assert w.child.code not in r.text
    # Staff tokens are not for this e-service.
    staff = await registry.service.client.get(
        "/api/v1/my-data",
        headers=registry.token(w.employee, role="staff", institution_id=w.school),
    )
    assert (staff.status_code, staff.json()["reason"]) == (403, "citizens_only")


async def test_represented_persons_lists_only_valid_relations(registry: Registry) -> None:
    w = registry.world
    r = await registry.get("/api/v1/represented-persons", w.parent)
    assert r.status_code == 200
    items = {i["personal_code"]: i for i in r.json()["items"]}
    assert set(items) == {w.child.code, w.child_18_tomorrow.code, w.toddler.code}
    assert items[w.child_18_tomorrow.code]["valid_until"] == TODAY.isoformat()
    assert items[w.child.code]["basis"] == "minor_child"
    assert items[w.child.code]["given_name"] == "Jānis"

    r = await registry.get("/api/v1/represented-persons", w.guardian)
    assert [(i["personal_code"], i["basis"]) for i in r.json()["items"]] == [
        (w.ward.code, "guardianship")
    ]
    r = await registry.get("/api/v1/represented-persons", w.expired_guardian)
    assert r.json()["items"] == []


async def test_access_log_shows_who_viewed_by_name(registry: Registry) -> None:
    w = registry.world
    await registry.accept_terms(w.custodian)
    await registry.accept_terms(w.adult_ward)
    before = dt.datetime.now(dt.UTC)
    assert (await my_data(registry, w.custodian, w.adult_ward)).status_code == 200
    assert (await my_data(registry, w.adult_ward)).status_code == 200

    r = await registry.get("/api/v1/my-data/access-log", w.adult_ward)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 2
    newest, second = body["items"][0], body["items"][1]
    assert newest["viewer_is_self"] is True
    assert newest["viewer_name"] == "Uģis Šmits"
    assert second == {
        "viewed_at": second["viewed_at"],
        "viewer_name": "Dace Šmite",
        "viewer_is_self": False,
        "basis": "custody",
        "blocks": ["person", "documents"],
        "purpose": "my_data",
    }
    assert dt.datetime.fromisoformat(second["viewed_at"]) >= before - dt.timedelta(seconds=1)
    assert w.custodian.code not in r.text  # viewers by name, never by code

    # Stored pseudonymised: no personal code in clear in the log collection.
    stored = await registry.db.access_log.find({}).to_list()
    dump = json.dumps(stored, default=str)
    assert w.custodian.code not in dump
    assert w.adult_ward.code not in dump

    r = await registry.get("/api/v1/my-data/access-log", w.adult_ward, params={"limit": 1})
    assert len(r.json()["items"]) == 1
    r = await registry.get("/api/v1/my-data/access-log", w.adult_ward, params={"limit": 0})
    assert (r.status_code, r.json()["reason"]) == (422, "bad_page")


async def _commands(edu_backends: Backends, predicate: Any, timeout: float = 15.0) -> Any:
    consumer = AIOKafkaConsumer(
        topics.DOCUMENT_COMMANDS,
        bootstrap_servers=edu_backends.kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        async with asyncio.timeout(timeout):
            async for msg in consumer:
                command = RenderRequested.model_validate_json(msg.value)
                if predicate(command):
                    return command
    finally:
        await consumer.stop()
    return None


async def test_pdf_request_emits_the_render_command(
    registry: Registry, edu_backends: Backends
) -> None:
    w = registry.world
    await registry.accept_terms(w.parent)
    shown = (await my_data(registry, w.parent, w.child)).json()
    r = await registry.post(
        "/api/v1/my-data/pdf",
        w.parent,
        json={"person_code": w.child.code},
        headers={"X-Correlation-Id": "pdf-test-1"},
    )
    assert r.status_code == 202, r.text
    document_id = uuid.UUID(r.json()["document_id"])

    command = await _commands(edu_backends, lambda c: c.payload.document_id == document_id)
    assert command is not None
    assert command.correlation_id == "pdf-test-1"
    payload = command.payload
    assert payload.reader_code == w.parent.code
    assert payload.language == "lv"
    content = payload.content
    assert content.kind == "my_data_printout"
    assert content.subject.full_name == "Jānis Bērziņš"
    assert content.basis == "minor_child"
    assert content.message is None
    printed = content.blocks.model_dump(mode="json", exclude_none=False)
    assert {k for k, v in printed.items() if v is not None} == set(shown["blocks"])
    assert printed["institutions"] == shown["blocks"]["institutions"]

    # In English, and for someone with no data: the message travels too.
    await registry.accept_terms(w.nobody)
    r = await registry.post(
        "/api/v1/my-data/pdf", w.nobody, json={}, headers={"Accept-Language": "en"}
    )
    document_id = uuid.UUID(r.json()["document_id"])
    command = await _commands(edu_backends, lambda c: c.payload.document_id == document_id)
    assert command.payload.language == "en"
    assert command.payload.content.message == NO_DATA_EN

    # Not represented: refused, nothing emitted.
    r = await registry.post(
        "/api/v1/my-data/pdf", w.parent, json={"person_code": w.child_18_yesterday.code}
    )
    assert (r.status_code, r.json()["reason"]) == (403, "not_represented")


async def test_live_view_fallback_for_records_written_without_a_read_model(
    registry: Registry,
) -> None:
    """Records written straight into the registers (as cross-service tests do)
    are read from the registers themselves."""
    w = registry.world
    kid = P(new_code(), "Emīls", "Bērziņš", TODAY - dt.timedelta(days=8 * 365))
    await registry.db.persons.insert_one(kid.record().to_doc())
    await registry.db.representations.insert_one(
        RepresentationRecord(
            representative_code=w.parent.code,
            represented_code=kid.code,
            basis=RepresentationKind.MINOR_CHILD,
            source=RepresentationSource.POPULATION_REGISTER,
            valid_from=kid.birth,
        ).to_doc()
    )
    await registry.db.enrolments.insert_one(
        EnrolmentRecord(
            learner_code=kid.code,
            institution_id=w.school,
            class_group="2.a",
            enrolled_from=TODAY - dt.timedelta(days=90),
        ).to_doc()
    )
    assert await registry.db.my_data_views.find_one({"_id": kid.code}) is None
    await registry.accept_terms(w.parent)
    r = await my_data(registry, w.parent, kid)
    assert r.status_code == 200, r.text
    assert r.json()["blocks"]["institutions"][0]["institution_name"] == "Rīgas Ķengaraga vidusskola"
    await registry.accept_terms(w.stranger)
    r = await my_data(registry, w.stranger, kid)
    assert (r.status_code, r.json()["reason"]) == (403, "not_represented")


async def test_no_personal_code_in_traces(
    registry: Registry, span_exporter: InMemorySpanExporter
) -> None:
    w = registry.world
    await registry.accept_terms(w.parent)
    assert (await my_data(registry, w.parent, w.child)).status_code == 200
    r = await registry.post(
        "/api/v1/lookups/learner-institutions", w.parent, json={"learner_code": w.child.code}
    )
    assert r.status_code == 200
    spans = [
        s
        for s in span_exporter.get_finished_spans()
        if s.resource.attributes["service.name"] == "registry-reader"
    ]
    # default=str: a Kafka consumer's span (lending settings) carries its key as bytes.
    assert any("my-data" in json.dumps(dict(s.attributes or {}), default=str) for s in spans)
    for span in spans:
        text = span.name + json.dumps(dict(span.attributes or {}), default=str)
        for code in (w.child.code, w.parent.code, w.child.code.replace("-", "")):
            assert code not in text
