"""The documents service against the real embedded Kafka and MongoDB: render
commands → stored PDF + rendered event; idempotence; access; verify; purge."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import subprocess
import uuid
from collections.abc import Callable
from typing import Any

from edu_contracts.documents import DocumentKind, Language, RenderRequested, ReturnActContent
from edu_contracts.retention import PurgeOrdered
from edu_documents.adapters.store import DocumentStore
from edu_tools.documents import samples
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer, eventually
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .conftest import CITIZEN, OTHER_CITIZEN, OTHER_SCHOOL, SCHOOL, Documents, Kafka, Published

MakeCommand = Callable[..., RenderRequested]


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True)
    return out.stdout.decode()


async def rendered(documents: Documents, document_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await documents.db.documents.find_one({"_id": document_id})
        return doc

    return await eventually(probe, timeout=20)


async def pdfs_of(documents: Documents, document_id: str) -> int:
    """Stored PDFs of the document: 1 once rendered, 0 when failed or purged."""
    query = {"_id": document_id, "pdf": {"$exists": True}}
    return int(await documents.db.documents.count_documents(query))


async def test_render_command_stores_the_pdf_and_announces_it(
    documents: Documents,
    kafka: Kafka,
    published: Published,
    render_command: MakeCommand,
    gateway: GatewayKeys,
    span_exporter: InMemorySpanExporter,
) -> None:
    application_id = uuid.uuid4()
    command = render_command(samples.handover_act(), application_id=application_id)
    await kafka.send(command)
    document_id = str(command.payload.document_id)

    event = await published.answer(command, "documents.rendered.v1")
    record = await rendered(documents, document_id)
    payload = event["payload"]
    assert payload["document_id"] == document_id
    assert payload["number"] == record["number"]
    assert payload["number"].startswith(f"PNA-{dt.datetime.now(dt.UTC).year}-")
    assert payload["kind"] == "handover_act"
    assert payload["application_id"] == str(application_id)
    assert payload["institution_id"] == SCHOOL
    assert event["causation_id"] == str(command.event_id)
    assert event["correlation_id"] == command.correlation_id
    assert CITIZEN not in json.dumps(event)  # the announcement carries no personal data

    # Metadata: the reader is a pseudonym, never the personal code.
    assert record["reader"].startswith("pc_")
    assert CITIZEN not in json.dumps(record, default=str)
    assert record["sha256"] == payload["sha256"]
    assert record["status"] == "rendered"

    # The PDF the owner downloads is the one the hash describes.
    r = await documents.http.client.get(
        f"/api/v1/documents/{document_id}/pdf", headers=bearer(gateway.mint(CITIZEN))
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(r.content).hexdigest() == payload["sha256"]
    assert len(r.content) == payload["size_bytes"]
    assert r.content.startswith(b"%PDF")

    r = await documents.http.client.get(
        f"/api/v1/documents/{document_id}", headers=bearer(gateway.mint(CITIZEN))
    )
    assert r.status_code == 200
    view = r.json()
    assert view["number"] == payload["number"]
    assert view["pdf_path"] == f"/api/v1/documents/{document_id}/pdf"
    assert "reader" not in view

    # Nothing the service traced carries the personal code in clear.
    spans = span_exporter.get_finished_spans()
    assert any(s.resource.attributes["service.name"] == "documents" for s in spans)
    for span in spans:
        assert CITIZEN not in json.dumps(dict(span.attributes or {}), default=str)
        assert CITIZEN.replace("-", "") not in json.dumps(dict(span.attributes or {}), default=str)


async def test_each_kind_renders_through_the_service(
    documents: Documents, kafka: Kafka, published: Published, render_command: MakeCommand
) -> None:
    commands = [
        render_command(samples.return_act(), application_id=uuid.uuid4()),
        render_command(samples.my_data_printout(), institution_id=None, language=Language.EN),
    ]
    for command in commands:
        await kafka.send(command)
    prefixes = {"return_act": "ATA-", "my_data_printout": "IZD-"}
    for command in commands:
        record = await rendered(documents, str(command.payload.document_id))
        assert record["status"] == "rendered"
        assert record["number"].startswith(prefixes[record["kind"]])
        assert await pdfs_of(documents, record["_id"]) == 1
    printout = await rendered(documents, str(commands[1].payload.document_id))
    assert printout["language"] == "en"
    assert printout["institution_id"] is None


async def test_a_command_delivered_twice_yields_one_document(
    documents: Documents, kafka: Kafka, published: Published, render_command: MakeCommand
) -> None:
    command = render_command(samples.handover_act(), application_id=uuid.uuid4())
    document_id = str(command.payload.document_id)
    # The same event twice, then the requester's retry: a new event, same document id.
    retry = command.model_copy(update={"event_id": uuid.uuid4()})
    for event in (command, command, retry):
        await kafka.send(event)
    await rendered(documents, document_id)
    # Same key, same partition, in order: give the two copies after the first time
    # to be consumed (they are, long before this), then count.
    await published.settle(2.0)
    assert await documents.db.documents.count_documents({"_id": document_id}) == 1
    assert await pdfs_of(documents, document_id) == 1
    number = (await documents.db.documents.find_one({"_id": document_id}))["number"]
    assert await documents.db.documents.count_documents({"number": number}) == 1
    announced = await published.matching(
        lambda e: (
            e["event_type"] == "documents.rendered.v1"
            and e["payload"]["document_id"] == document_id
        )
    )
    assert len(announced) == 1


async def test_unrenderable_content_is_announced_as_failed(
    documents: Documents,
    kafka: Kafka,
    published: Published,
    render_command: MakeCommand,
    gateway: GatewayKeys,
) -> None:
    bad = ReturnActContent.model_validate(
        {**samples.return_act().model_dump(), "condition": "exploded"}
    )
    command = render_command(bad, application_id=uuid.uuid4())
    await kafka.send(command)
    document_id = str(command.payload.document_id)
    event = await published.answer(command, "documents.render-failed.v1")
    assert event["payload"]["reason"] == "unknown_condition"
    record = await rendered(documents, document_id)
    assert record["status"] == "failed"
    assert await pdfs_of(documents, document_id) == 0

    r = await documents.http.client.get(
        f"/api/v1/documents/{document_id}", headers=bearer(gateway.mint(CITIZEN))
    )
    assert r.status_code == 200
    assert r.json()["status"] == "failed"
    assert r.json()["pdf_path"] is None
    r = await documents.http.client.get(
        f"/api/v1/documents/{document_id}/pdf", headers=bearer(gateway.mint(CITIZEN))
    )
    assert (r.status_code, r.json()["reason"]) == (409, "document_not_rendered")


async def test_only_the_citizen_concerned_and_the_institution_staff_get_in(
    documents: Documents, kafka: Kafka, render_command: MakeCommand, gateway: GatewayKeys
) -> None:
    application_id = uuid.uuid4()
    command = render_command(samples.handover_act(), application_id=application_id)
    await kafka.send(command)
    document_id = str(command.payload.document_id)
    await rendered(documents, document_id)
    client = documents.http.client

    owner = bearer(gateway.mint(CITIZEN))
    staff = bearer(gateway.mint(OTHER_CITIZEN, role="staff", institution_id=SCHOOL))
    other_citizen = bearer(gateway.mint(OTHER_CITIZEN))
    other_staff = bearer(gateway.mint(CITIZEN, role="staff", institution_id=OTHER_SCHOOL))

    for path in (f"/api/v1/documents/{document_id}", f"/api/v1/documents/{document_id}/pdf"):
        assert (await client.get(path, headers=owner)).status_code == 200
        assert (await client.get(path, headers=staff)).status_code == 200
        for stranger in (other_citizen, other_staff):
            r = await client.get(path, headers=stranger)
            assert (r.status_code, r.json()["reason"]) == (404, "document_not_found")
        assert (await client.get(path)).status_code == 401

    # Lists: the owner and the institution see it; the others do not.
    query = f"/api/v1/documents?application_id={application_id}"
    for headers, expected in ((owner, 1), (staff, 1), (other_citizen, 0), (other_staff, 0)):
        r = await client.get(query, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["total"] == expected
        assert [d["id"] for d in r.json()["items"]] == [document_id] * expected

    # Every download is logged, by pseudonym.
    logged = await documents.db.downloads.find({"document_id": document_id}).to_list()
    assert {entry["role"] for entry in logged} == {"citizen", "staff"}
    assert CITIZEN not in json.dumps(logged, default=str)


async def test_an_id_not_yet_rendered_answers_202(
    documents: Documents, gateway: GatewayKeys
) -> None:
    unknown = uuid.uuid4()
    r = await documents.http.client.get(
        f"/api/v1/documents/{unknown}", headers=bearer(gateway.mint(CITIZEN))
    )
    assert r.status_code == 202
    assert r.headers["retry-after"] == "1"
    assert r.json() == {"id": str(unknown), "status": "rendering", "retry_after_seconds": 1}
    r = await documents.http.client.get(
        f"/api/v1/documents/{unknown}/pdf", headers=bearer(gateway.mint(CITIZEN))
    )
    assert r.status_code == 404
    r = await documents.http.client.get(
        "/api/v1/documents/not-a-uuid", headers=bearer(gateway.mint(CITIZEN))
    )
    assert r.status_code in (400, 404)


async def test_verify_answers_without_personal_data(
    documents: Documents, kafka: Kafka, render_command: MakeCommand, gateway: GatewayKeys
) -> None:
    command = render_command(samples.handover_act(), application_id=uuid.uuid4())
    await kafka.send(command)
    record = await rendered(documents, str(command.payload.document_id))
    client = documents.http.client
    anyone = bearer(gateway.mint(OTHER_CITIZEN))
    number, digest = record["number"], record["sha256"]

    r = await client.get(f"/api/v1/documents/verify/{number}?sha256={digest}", headers=anyone)
    assert r.status_code == 200
    body = r.json()
    assert body["issued"] is True
    assert body["kind"] == "handover_act"
    assert set(body) == {"number", "sha256", "issued", "kind", "issued_on"}
    for secret in (CITIZEN, "Čakša", "Ļoļa", str(command.payload.document_id), "sample"):
        assert secret not in r.text

    # A wrong hash and an unknown number get the same answer: nothing to probe.
    wrong = hashlib.sha256(b"forged").hexdigest()
    r1 = await client.get(f"/api/v1/documents/verify/{number}?sha256={wrong}", headers=anyone)
    r2 = await client.get(
        f"/api/v1/documents/verify/PNA-1999-999999?sha256={digest}", headers=anyone
    )
    assert r1.json()["issued"] is False
    assert r2.json()["issued"] is False
    for answer in (r1.json(), r2.json()):
        assert answer["kind"] is None
        assert answer["issued_on"] is None

    r = await client.get(f"/api/v1/documents/verify/{number}?sha256=xyz", headers=anyone)
    assert (r.status_code, r.json()["reason"]) == (422, "invalid_sha256")
    r = await client.get(f"/api/v1/documents/verify/DROP-TABLE?sha256={digest}", headers=anyone)
    assert (r.status_code, r.json()["reason"]) == (422, "invalid_document_number")
    r = await client.get(f"/api/v1/documents/verify/{number}?sha256={digest}")
    assert r.status_code == 401


async def test_purge_deletes_records_with_their_pdfs_and_confirms(
    documents: Documents, kafka: Kafka, published: Published, render_command: MakeCommand
) -> None:
    application_id = uuid.uuid4()
    keep = render_command(samples.handover_act(), application_id=uuid.uuid4())
    doomed = [
        render_command(samples.handover_act(), application_id=application_id),
        render_command(samples.return_act(), application_id=application_id),
    ]
    for command in (keep, *doomed):
        await kafka.send(command)
    ids = [str(c.payload.document_id) for c in doomed]
    for document_id in [*ids, str(keep.payload.document_id)]:
        await rendered(documents, document_id)
    assert [await pdfs_of(documents, i) for i in ids] == [1, 1]

    def order(owners: tuple[str, ...], attempt: int = 1) -> PurgeOrdered:
        return PurgeOrdered.model_validate(
            {
                "producer": "retention",
                "correlation_id": "purge-test",
                "payload": {
                    "order_id": order_id,
                    "subject": {"kind": "application", "id": str(application_id)},
                    "owners": owners,
                    "ordered_at": dt.datetime.now(dt.UTC),
                    "attempt": attempt,
                },
            }
        )

    # An order for other owners only is none of our business.
    order_id = uuid.uuid4()
    await kafka.send(order(("applications",)))
    order_id = uuid.uuid4()
    first = order(("applications", "documents"))
    await kafka.send(first)
    confirmation = await published.answer(first, "retention.purge-confirmed.v1")
    payload = confirmation["payload"]
    assert payload["owner"] == "documents"
    assert payload["order_id"] == str(order_id)
    assert payload["deleted"]["documents"] == 2
    assert payload["deleted"]["downloads"] == 0
    for document_id in ids:
        assert await documents.db.documents.find_one({"_id": document_id}) is None
        assert await pdfs_of(documents, document_id) == 0
    # Another application's document is untouched.
    assert await pdfs_of(documents, str(keep.payload.document_id)) == 1
    # Only the order with us among the owners was confirmed.
    confirmations = await published.matching(
        lambda e: (
            e["event_type"] == "retention.purge-confirmed.v1"
            and e["payload"]["subject"]["id"] == str(application_id)
        )
    )
    assert len(confirmations) == 1

    # Retention retries (a new event): harmless, confirmed again with zero counts.
    retry = order(("applications", "documents"), attempt=2)
    await kafka.send(retry)
    again = await published.answer(retry, "retention.purge-confirmed.v1")
    assert set(again["payload"]["deleted"].values()) == {0}

    # A render command arriving after the purge cannot bring the data back.
    late = render_command(samples.handover_act(), application_id=application_id)
    await kafka.send(late)
    failed = await published.answer(late, "documents.render-failed.v1")
    assert failed["payload"]["reason"] == "subject_purged"
    assert await pdfs_of(documents, str(late.payload.document_id)) == 0


async def test_purge_of_one_document(
    documents: Documents, kafka: Kafka, published: Published, render_command: MakeCommand
) -> None:
    command = render_command(samples.my_data_printout(), institution_id=None)
    await kafka.send(command)
    document_id = str(command.payload.document_id)
    await rendered(documents, document_id)
    order = PurgeOrdered.model_validate(
        {
            "producer": "retention",
            "correlation_id": "purge-one",
            "payload": {
                "order_id": uuid.uuid4(),
                "subject": {"kind": "document", "id": document_id},
                "owners": ("documents",),
                "ordered_at": dt.datetime.now(dt.UTC),
                "attempt": 1,
            },
        }
    )
    await kafka.send(order)
    confirmation = await published.answer(order, "retention.purge-confirmed.v1")
    assert confirmation["payload"]["deleted"]["documents"] == 1
    assert await documents.db.documents.find_one({"_id": document_id}) is None
    assert await pdfs_of(documents, document_id) == 0


async def test_receipt_documents_for_wizard_step_5(
    documents: Documents, gateway: GatewayKeys
) -> None:
    client = documents.http.client
    token = bearer(gateway.mint(CITIZEN))
    r = await client.get("/api/v1/documents/receipt-documents?lang=lv", headers=token)
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["code"] for i in items} == {"handover_act", "usage_rules"}
    titles = {i["code"]: i["title"] for i in items}
    assert titles["handover_act"] == "Pieņemšanas-nodošanas akts"
    assert all(i["version"] == "2026-09-01" for i in items)

    r = await client.get(
        "/api/v1/documents/receipt-documents", headers={**token, "Accept-Language": "en-GB,en"}
    )
    assert {i["title"] for i in r.json()["items"]} >= {"Handover-acceptance act"}

    for item in items:
        r = await client.get(item["preview_path"], headers=token)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/pdf"
        text = await asyncio.to_thread(pdf_text, r.content)
        assert "PARAUGS" in text
        assert item["title"] in " ".join(text.split())
        again = await client.get(item["preview_path"], headers=token)
        assert again.content == r.content

    r = await client.get("/api/v1/documents/receipt-documents/nope/preview", headers=token)
    assert (r.status_code, r.json()["reason"]) == (404, "receipt_document_not_found")
    r = await client.get("/api/v1/documents/receipt-documents?lang=de", headers=token)
    assert (r.status_code, r.json()["reason"]) == (422, "unsupported_language")


async def test_two_replicas_never_hand_out_the_same_number(documents: Documents) -> None:
    replicas = [DocumentStore(documents.db, number_block=3) for _ in range(2)]
    numbers = await asyncio.gather(
        *(store.next_number(DocumentKind.RETURN_ACT, 2031) for store in replicas * 10)
    )
    assert len(set(numbers)) == 20
    assert all(n.startswith("ATA-2031-") for n in numbers)
    # each replica reserved 4 blocks of 3 for its 10 numbers: at most 24 drawn
    assert max(int(n.rsplit("-", 1)[1]) for n in numbers) <= 24
