"""Render commands applied together, as the consumer takes them from Kafka: one
transaction for the batch, one outcome per document id, redeliveries left out,
against the real embedded MongoDB."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from edu_contracts.documents import RenderRequested, ReturnActContent
from edu_documents.adapters.store import DocumentStore
from edu_documents.service import DocumentService
from edu_documents.settings import DocumentsSettings
from edu_runtime.runtime import ServiceRuntime
from edu_tools.documents import samples

MakeCommand = Callable[..., RenderRequested]


@pytest.fixture
async def service(make_settings: Callable[..., Any]) -> AsyncIterator[DocumentService]:
    # Its own database, and no relay: the outbox is read here, not sent to Kafka.
    settings = make_settings(
        DocumentsSettings,
        mongo_db=f"edu_documents_batches_{uuid.uuid4().hex[:8]}",
        outbox_relay_enabled=False,
    )
    runtime = ServiceRuntime(settings)
    store = DocumentStore(runtime.db, number_block=settings.number_block)
    await store.ensure_indexes()
    await runtime.outbox.ensure_indexes()
    service = DocumentService(runtime, store)
    try:
        yield service
    finally:
        service.close()
        await runtime.mongo.drop_database(settings.mongo_db)
        await runtime.mongo.close()


async def announced(service: DocumentService) -> dict[str, list[str]]:
    """Event types in the outbox, by document id."""
    by_document: dict[str, list[str]] = {}
    for record in await service.runtime.outbox.collection.find({}).to_list():
        event = json.loads(record["value"])
        document_id = event["payload"]["document_id"]
        by_document.setdefault(document_id, []).append(event["event_type"])
    return by_document


async def test_a_batch_applies_each_document_once_in_one_transaction(
    service: DocumentService, render_command: MakeCommand
) -> None:
    first = render_command(samples.handover_act(), application_id=uuid.uuid4())
    assert await service.render(first)

    purged_application = uuid.uuid4()
    await service.runtime.unit_of_work(
        lambda uow: service.store.mark_purged(
            "application", str(purged_application), dt.datetime.now(dt.UTC), uow.session
        )
    )
    fresh = render_command(samples.return_act(), application_id=uuid.uuid4())
    broken = render_command(
        ReturnActContent.model_validate(
            {**samples.return_act().model_dump(), "condition": "exploded"}
        ),
        application_id=uuid.uuid4(),
    )
    late = render_command(samples.handover_act(), application_id=purged_application)
    # The requester's retry of the first command (new event, same document),
    # and the fresh one delivered twice within the batch.
    retry = first.model_copy(update={"event_id": uuid.uuid4()})
    batch = [retry, fresh, fresh, broken, late]

    applied = await service.render_many([(command, None) for command in batch])

    ids = {str(c.payload.document_id): c for c in (first, fresh, broken, late)}
    outcome = {record.id: (record.status.value, record.failure_reason) for record in applied}
    assert outcome == {
        str(fresh.payload.document_id): ("rendered", None),
        str(broken.payload.document_id): ("failed", "unknown_condition"),
        str(late.payload.document_id): ("failed", "subject_purged"),
    }
    stored = {d["_id"]: d for d in await service.store.documents.find({}).to_list()}
    # The purged subject's command leaves no record; the rest have one, with a
    # PDF only when rendered.
    assert set(stored) == set(ids) - {str(late.payload.document_id)}
    assert "pdf" in stored[str(fresh.payload.document_id)]
    assert "pdf" not in stored[str(broken.payload.document_id)]
    assert await announced(service) == {
        str(first.payload.document_id): ["documents.rendered.v1"],
        str(fresh.payload.document_id): ["documents.rendered.v1"],
        str(broken.payload.document_id): ["documents.render-failed.v1"],
        str(late.payload.document_id): ["documents.render-failed.v1"],
    }


async def test_a_batch_of_redeliveries_changes_nothing(
    service: DocumentService, render_command: MakeCommand
) -> None:
    commands = [render_command(samples.handover_act()) for _ in range(3)]
    assert len(await service.render_many([(c, None) for c in commands])) == 3
    again = [c.model_copy(update={"event_id": uuid.uuid4()}) for c in commands]
    assert await service.render_many([(c, None) for c in again]) == []
    assert await service.store.documents.count_documents({}) == 3
    assert sum(len(events) for events in (await announced(service)).values()) == 3
