"""The walking skeleton, against the real embedded Kafka and MongoDB servers:
an authenticated POST to applications stores a draft and, through the outbox,
emits ``application.status-changed.v1``, which retention consumes and records.

Observed as another service would: the topic itself, retention's consumer
group's committed offsets (it commits after applying) and retention's operator
interface (``tests/flows.py``), never retention's database."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from edu_applications.app import create_app as create_applications
from edu_applications.settings import ApplicationsSettings
from edu_contracts import topics
from edu_contracts.applications import (
    ActorRole,
    ApplicationEvent,
    ApplicationStatus,
    StatusChanged,
    StatusChangedPayload,
)
from edu_retention.domain.rules import application_purge_date, closing_date
from edu_runtime.riga import start_of_riga_day
from edu_tools.backends import Backends
from edu_tools.dlq import RESOLUTION_HEADER
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import RunningService, bearer, eventually, serving
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import TypeAdapter
from pymongo import AsyncMongoClient

from tests.conftest import Stack
from tests.flows import Published, TopicLog, purge_planned
from tests.world import World, valid_code

CITIZEN = valid_code(dt.date(1985, 4, 12))


@dataclass
class Skeleton:
    stack: Stack
    applications: RunningService
    applications_settings: ApplicationsSettings
    world: World


@pytest.fixture(scope="module")
async def skeleton(stack: Stack) -> Skeleton:
    return Skeleton(stack, stack.applications, stack.applications_settings, await stack.world())


APPLICATION_EVENT: TypeAdapter[ApplicationEvent] = TypeAdapter(ApplicationEvent)


async def status_changes(log: TopicLog, app_id: str) -> list[tuple[Published, StatusChanged]]:
    """The status changes of ``app_id`` published so far, in order."""
    found = []
    for record in await log.of(app_id):
        event = APPLICATION_EVENT.validate_json(record.value)
        if isinstance(event, StatusChanged):
            found.append((record, event))
    return found


def applications_events(stack: Stack) -> TopicLog:
    return TopicLog(stack.retention_settings.kafka_bootstrap, topics.APPLICATION_EVENTS)


async def retention_consumed(stack: Stack, *records: Published) -> None:
    """Wait until retention's consumer of application events has committed past
    ``records``: it commits only after its handler and transaction finished (or
    after it dead-lettered a record, which ``no_dead_letters`` rules out)."""
    group = f"{stack.retention_settings.group_id}.application-events"
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.retention_settings.kafka_bootstrap)
    await admin.start()
    try:

        async def past_all() -> bool:
            wanted = {r.partition for r in records}
            committed = await admin.list_consumer_group_offsets(group, partitions=list(wanted))
            return all(
                r.partition in committed and committed[r.partition].offset > r.offset
                for r in records
            )

        await eventually(past_all, timeout=20)
    finally:
        await admin.close()


async def no_dead_letters(stack: Stack, app_id: str) -> None:
    """No consumer dead-lettered anything of ``app_id``. A consumer writes its
    dead letter before it commits, so once retention has committed past the
    records (``retention_consumed``), the dead-letter topic read to its end
    holds any letter it wrote."""
    async with TopicLog(stack.retention_settings.kafka_bootstrap, topics.DEAD_LETTER) as letters:
        for record in await letters.catch_up():
            assert app_id.encode() not in record.value, record.value


async def purge_planned_after_withdrawal(
    stack: Stack, app_id: str, withdrawn: StatusChanged
) -> None:
    """Retention recorded the withdrawal: asked through its operator interface
    (a dry run), it would order the purge 25 months after the Riga day the
    application was withdrawn, at Riga midnight."""
    change = withdrawn.payload
    due_at = start_of_riga_day(
        application_purge_date(closing_date(change.changed_at, change.effective_date))
    )
    planned = await purge_planned(stack, app_id, due_at)
    assert dt.datetime.fromisoformat(planned["due_at"]) == due_at
    assert planned["attempt"] == 1


async def accept_terms(client: Any, token: str) -> None:
    r = await client.post(
        "/api/v1/terms/resource-applications/acceptance", json={}, headers=bearer(token)
    )
    assert r.status_code == 201, r.text


async def create_draft(client: Any, token: str, child_code: str) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/applications",
        json={"role": "parent_or_guardian", "learner_code": child_code},
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_draft_reaches_retention_through_outbox_and_kafka(
    skeleton: Skeleton, gateway: GatewayKeys
) -> None:
    stack, client = skeleton.stack, skeleton.applications.client
    token = gateway.mint(skeleton.world.parent.code)
    await accept_terms(client, token)
    draft = await create_draft(client, token, skeleton.world.child.code)
    assert draft["status"] == "draft"

    async with applications_events(stack) as log:
        # The outbox relay publishes the draft's one status change...
        [(record, created)] = await eventually(lambda: status_changes(log, draft["id"]))
        assert created.payload.from_status is None
        assert created.payload.to_status is ApplicationStatus.DRAFT
        assert created.payload.version == 1
        assert created.payload.actor_role is ActorRole.CITIZEN
        # ...and retention consumes it.
        await retention_consumed(stack, record)
        await no_dead_letters(stack, draft["id"])

        # What retention recorded shows once the application closes.
        r = await client.post(
            f"/api/v1/applications/{draft['id']}/withdraw",
            json={"version": draft["version"]},
            headers=bearer(token),
        )
        assert r.status_code == 200, r.text
        changes = await eventually(lambda: _at_least(status_changes(log, draft["id"]), 2))
    assert [e.payload.to_status for _, e in changes] == [
        ApplicationStatus.DRAFT,
        ApplicationStatus.WITHDRAWN,
    ]
    await purge_planned_after_withdrawal(stack, draft["id"], changes[1][1])


async def _at_least(
    found: Awaitable[list[tuple[Published, StatusChanged]]], count: int
) -> list[tuple[Published, StatusChanged]] | None:
    changes = await found
    return changes if len(changes) >= count else None


async def test_event_delivered_twice_is_applied_once(
    skeleton: Skeleton, edu_backends: Backends
) -> None:
    app_id = uuid.uuid4()

    def change(version: int, to: ApplicationStatus) -> StatusChanged:
        return StatusChanged(
            producer="test",
            correlation_id="dup-test",
            payload=StatusChangedPayload(
                application_id=app_id,
                from_status=None,
                to_status=to,
                changed_at=dt.datetime.now(dt.UTC),
                actor_role=ActorRole.CITIZEN,
                version=version,
            ),
        )

    first, later = change(1, ApplicationStatus.DRAFT), change(2, ApplicationStatus.WITHDRAWN)
    sent: list[Published] = []
    producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
    await producer.start()
    try:
        for event in (first, first, later):  # the same event twice, then a newer one
            value = event.model_dump_json().encode()
            meta = await producer.send_and_wait(
                topics.APPLICATION_EVENTS,
                value,
                key=str(app_id).encode(),
                headers=[("content-type", b"application/json")],
            )
            sent.append(
                Published(TopicPartition(meta.topic, meta.partition), meta.offset, None, value)
            )
    finally:
        await producer.stop()

    # Same partition, in order: once retention has committed past the later
    # event, it has consumed both copies of the first, and none failed.
    assert len({s.partition for s in sent}) == 1
    await retention_consumed(skeleton.stack, *sent)
    await no_dead_letters(skeleton.stack, str(app_id))
    # The duplicate did not count as a newer change: the withdrawal (version 2)
    # was applied after it and closed the application. (That the duplicate is
    # not applied a second time is retention's own inbox, asserted with its
    # bookkeeping in services/retention/tests/test_retention_flow.py.)
    await purge_planned_after_withdrawal(skeleton.stack, str(app_id), later)


async def test_service_killed_before_publish_publishes_after_restart(
    skeleton: Skeleton,
    make_settings: Callable[..., Any],
    gateway: GatewayKeys,
    edu_backends: Backends,
) -> None:
    settings = make_settings(
        ApplicationsSettings,
        outbox_relay_enabled=False,
        consumers_enabled=False,
        registry_url=skeleton.applications_settings.registry_url,
        documents_url=skeleton.applications_settings.documents_url,
    )
    token = gateway.mint(skeleton.world.parent.code)
    async with serving(create_applications(settings), settings.http_port) as crashed:
        await accept_terms(crashed.client, token)
        draft = await create_draft(crashed.client, token, skeleton.world.child.code)
    # The draft and its event are committed in the service's own outbox (this
    # test is about that outbox), but nothing was published: the service is
    # gone, so the topic read to its end holds everything it ever sent.
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(edu_backends.mongo_url)
    try:
        assert await mongo[settings.mongo_db].outbox.count_documents({}) == 1
        async with applications_events(skeleton.stack) as log:
            assert await status_changes(log, draft["id"]) == []

            restarted = settings.model_copy(update={"outbox_relay_enabled": True})
            async with serving(create_applications(restarted), restarted.http_port):
                [(record, created)] = await eventually(lambda: status_changes(log, draft["id"]))
                assert created.payload.to_status is ApplicationStatus.DRAFT
                await retention_consumed(skeleton.stack, record)
                await eventually(lambda: _outbox_empty(mongo, settings.mongo_db))
    finally:
        await mongo.close()


async def _outbox_empty(mongo: AsyncMongoClient[Any], db: str) -> bool:
    return await mongo[db].outbox.count_documents({}) == 0


async def test_one_trace_spans_http_publish_and_consume(
    skeleton: Skeleton, gateway: GatewayKeys, span_exporter: InMemorySpanExporter
) -> None:
    token = gateway.mint(skeleton.world.parent.code)
    await accept_terms(skeleton.applications.client, token)
    await create_draft(skeleton.applications.client, token, skeleton.world.child.code)

    def spans_of_trace() -> list[Any]:
        spans = span_exporter.get_finished_spans()
        server = [
            s
            for s in spans
            if s.kind is SpanKind.SERVER
            and s.name == "POST /api/v1/applications"
            and s.resource.attributes["service.name"] == "applications"
        ]
        if not server:
            return []
        trace_id = server[-1].context.trace_id
        return [s for s in spans if s.context.trace_id == trace_id]

    async def complete() -> list[Any] | None:
        spans = spans_of_trace()
        kinds = {(s.resource.attributes["service.name"], s.kind) for s in spans}
        wanted = {
            ("applications", SpanKind.SERVER),
            ("applications", SpanKind.PRODUCER),
            ("retention", SpanKind.CONSUMER),
        }
        return spans if wanted <= kinds else None

    spans = await eventually(complete)
    assert len({s.context.trace_id for s in spans}) == 1
    # No personal code leaves the process in a span.
    for span in spans:
        text = json.dumps(dict(span.attributes or {}), default=str)
        assert skeleton.world.parent.code not in text
        assert skeleton.world.child.code not in text


async def test_requests_without_a_valid_token_are_refused(
    skeleton: Skeleton, gateway: GatewayKeys, tmp_path: Any
) -> None:
    client = skeleton.applications.client
    url = "/api/v1/applications"
    body = {"role": "adult_learner"}

    r = await client.post(url, json=body)
    assert r.status_code == 401
    assert r.json()["reason"] == "missing_token"

    r = await client.post(
        url, json=body, headers=bearer(gateway.mint(CITIZEN, audience="another-service"))
    )
    assert (r.status_code, r.json()["reason"]) == (401, "wrong_audience")

    expired = gateway.mint(CITIZEN, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    r = await client.post(url, json=body, headers=bearer(expired))
    assert (r.status_code, r.json()["reason"]) == (401, "token_expired")

    r = await client.post(
        url, json=body, headers=bearer(gateway.mint(CITIZEN, issuer="https://evil.example"))
    )
    assert (r.status_code, r.json()["reason"]) == (401, "wrong_issuer")

    # Signed by a different key that claims the gateway's key id.
    forged = GatewayKeys(tmp_path).ensure()
    forged.kid_path.write_text(gateway.kid_path.read_text())
    r = await client.post(url, json=body, headers=bearer(forged.mint(CITIZEN)))
    assert (r.status_code, r.json()["reason"]) == (401, "invalid_signature")

    r = await client.post(url, json=body, headers={"Authorization": "Bearer not-a-jwt"})
    assert (r.status_code, r.json()["reason"]) == (401, "invalid_token")

    # Health checks need no token.
    assert (await client.get("/health/live")).status_code == 200


async def test_poison_message_goes_to_dead_letter_topic_with_reason(
    skeleton: Skeleton, edu_backends: Backends
) -> None:
    consumer = AIOKafkaConsumer(
        topics.DEAD_LETTER,
        bootstrap_servers=edu_backends.kafka_bootstrap,
        group_id=f"dlq-test-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    marker = uuid.uuid4().hex
    producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topics.APPLICATION_EVENTS,
            json.dumps({"event_type": "nonsense", "marker": marker}).encode(),
            key=marker.encode(),
            headers=[("content-type", b"application/json")],
        )
    finally:
        await producer.stop()
    try:

        async def dead_letter() -> dict[str, Any] | None:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    # The topic also carries operators' resolutions (edu dlq), not letters.
                    if RESOLUTION_HEADER in dict(record.headers or ()):
                        continue
                    letter = json.loads(record.value)
                    if marker in letter["value"]:
                        return dict(letter)
            return None

        letter = await eventually(dead_letter, timeout=20)
    finally:
        await consumer.stop()
    assert letter["original_topic"] == topics.APPLICATION_EVENTS
    # Every consumer group of the topic gives up on it on its own.
    assert letter["consumer"].startswith(("retention", "registry-reader"))
    assert letter["error_type"] == "ValidationError"
    assert letter["reason"]
    assert letter["attempts"] == 1  # a message that cannot be parsed is not retried
