"""Retention against the real embedded Kafka and MongoDB: deadlines from
application and document events, the sweeper with a clock the test moves,
legal holds through the real CLI, retries, confirmations, the ledger.

The owners (applications, documents) are played by this test: it consumes the
purge orders from Kafka and publishes ``PurgeConfirmed`` messages itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from edu_contracts import topics
from edu_contracts.applications import (
    ApplicationStatus,
    StatusChanged,
)
from edu_contracts.documents import DocumentKind, Rendered, RenderedPayload
from edu_contracts.envelope import Envelope
from edu_contracts.retention import (
    PurgeConfirmed,
    PurgeConfirmedPayload,
    PurgeOrdered,
    PurgeSubjectKind,
)
from edu_contracts.services import ServiceName
from edu_retention import cli
from edu_retention.adapters.store import RetentionStore
from edu_retention.adapters.sweeper import Sweeper
from edu_retention.app import create_app
from edu_retention.clock import ManualClock
from edu_retention.domain.model import Deadline, DeadlineState
from edu_retention.settings import RetentionSettings
from edu_tools import testing
from edu_tools.backends import Backends
from edu_tools.testing import RunningService, eventually, publish, serving
from pymongo import AsyncMongoClient
from typer.testing import CliRunner

UTC = dt.UTC
RETRY = dt.timedelta(hours=1)


@dataclass
class OrderLog:
    """The owners' view: every purge order seen on Kafka."""

    orders: list[PurgeOrdered] = field(default_factory=list)

    def of(self, subject_id: str) -> list[PurgeOrdered]:
        return [o for o in self.orders if o.payload.subject.id == subject_id]


@dataclass
class Harness:
    settings: RetentionSettings
    service: RunningService
    clock: ManualClock
    store: RetentionStore
    sweeper: Sweeper
    db: Any
    producer: AIOKafkaProducer
    log: OrderLog
    backends: Backends

    async def send(self, *events: Envelope) -> None:
        await publish(self.producer, *events)

    async def sweeps(self, count: int = 2) -> None:
        """Wait for ``count`` complete sweeps after now, so at least one full
        sweep started after the caller's last clock change."""
        target = self.sweeper.metrics.sweeps + count
        await eventually(lambda: _true(self.sweeper.metrics.sweeps >= target), timeout=10)

    async def deadline(self, app_id: uuid.UUID | str, kind: PurgeSubjectKind) -> Deadline | None:
        return await self.store.get(kind, str(app_id))

    async def state(self, subject: uuid.UUID | str, kind: PurgeSubjectKind) -> DeadlineState | None:
        d = await self.deadline(subject, kind)
        return d.state if d is not None else None

    async def nothing_more_ordered(
        self, subject: uuid.UUID | str, kind: PurgeSubjectKind, *, orders: int = 0
    ) -> None:
        """Prove that no sweep since the caller's last clock change ordered
        ``subject`` again: it has had exactly ``orders`` orders.

        No sleeping: wait for complete sweeps (a later event that was processed).
        A sweep writes an order and the deadline's new attempt count in one
        transaction, so after those sweeps the deadline is the authority. On
        Kafka, orders are keyed by subject: the subject's next order, when the
        test makes one due, arrives after any earlier one, and the tests check
        that order's ``ordered_at`` and ``attempt``."""
        await self.sweeps()
        d = await self.deadline(subject, kind)
        assert (d.attempt if d is not None else 0) == orders
        assert len(self.log.of(str(subject))) == orders

    async def wait_state(
        self, subject: uuid.UUID | str, state: DeadlineState, kind: PurgeSubjectKind
    ) -> Deadline:
        async def probe() -> Deadline | None:
            d = await self.deadline(subject, kind)
            return d if d is not None and d.state is state else None

        return await eventually(probe, timeout=15)

    async def wait_orders(self, subject: uuid.UUID | str, count: int) -> list[PurgeOrdered]:
        async def probe() -> list[PurgeOrdered] | None:
            found = self.log.of(str(subject))
            return found if len(found) >= count else None

        return await eventually(probe, timeout=15)

    async def applied(self, consumer: str, event: Envelope) -> None:
        """Wait until ``consumer`` has processed ``event`` (its inbox record)."""
        await eventually(lambda: self.db.inbox.find_one({"_id": f"{consumer}:{event.event_id}"}))

    async def completed_entry(self, order: PurgeOrdered) -> Any:
        query = {"_id": f"purge:{order.payload.order_id}", "completed_at": {"$ne": None}}
        return await eventually(lambda: self.db.purge_ledger.find_one(query))

    def cli(self, *args: str) -> Any:
        env = {
            "EDU_MONGO_URL": self.backends.mongo_url,
            "EDU_RETENTION_MONGO_DB": self.settings.mongo_db,
        }
        return CliRunner().invoke(cli.app, list(args), env=env)


async def _true(value: bool) -> bool:
    return value


@pytest.fixture(scope="module")
async def h(make_settings: Callable[..., Any], edu_backends: Backends) -> AsyncIterator[Harness]:
    settings: RetentionSettings = make_settings(
        RetentionSettings,
        consumer_group=f"retention-test-{uuid.uuid4().hex[:6]}",
        sweep_interval_seconds=0.05,
        retry_initial_seconds=RETRY.total_seconds(),
        retry_max_seconds=(8 * RETRY).total_seconds(),
    )
    clock = ManualClock(dt.datetime(2024, 1, 1, tzinfo=UTC))
    app = create_app(settings, clock=clock)
    log = OrderLog()
    consumer = AIOKafkaConsumer(
        topics.RETENTION_ORDERS,
        bootstrap_servers=edu_backends.kafka_bootstrap,
        group_id=f"owners-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
    )

    async def consume() -> None:
        async for record in consumer:
            log.orders.append(PurgeOrdered.model_validate_json(record.value))

    producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(edu_backends.mongo_url, tz_aware=True)
    async with serving(app, settings.http_port) as service:
        await consumer.start()
        await producer.start()
        task = asyncio.create_task(consume())
        try:
            yield Harness(
                settings,
                service,
                clock,
                app.state["store"],
                app.state["sweeper"],
                mongo[settings.mongo_db],
                producer,
                log,
                edu_backends,
            )
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await consumer.stop()
            await producer.stop()
    await mongo.close()


def status_changed(
    app_id: uuid.UUID,
    version: int,
    to: ApplicationStatus,
    changed_at: dt.datetime,
    effective_date: dt.date | None = None,
) -> StatusChanged:
    return testing.status_changed(
        app_id, version, to, changed_at=changed_at, effective_date=effective_date
    )


def confirmation(
    order: PurgeOrdered, owner: ServiceName, deleted: dict[str, int], at: dt.datetime
) -> PurgeConfirmed:
    return PurgeConfirmed(
        producer=owner.value,
        correlation_id=order.correlation_id,
        causation_id=order.event_id,
        payload=PurgeConfirmedPayload(
            order_id=order.payload.order_id,
            owner=owner,
            subject=order.payload.subject,
            deleted=deleted,
            confirmed_at=at,
        ),
    )


APP = PurgeSubjectKind.APPLICATION
DOC = PurgeSubjectKind.DOCUMENT


@pytest.mark.parametrize(
    ("status", "changed_at", "effective", "purge_at"),
    [
        # returned on 31 January: 25 months later is 28 February (clamped), from
        # Riga midnight (UTC+2 in winter)
        (
            ApplicationStatus.RETURNED,
            dt.datetime(2024, 2, 1, 9, 0, tzinfo=UTC),
            dt.date(2024, 1, 31),
            dt.datetime(2026, 2, 27, 22, 0, tzinfo=UTC),
        ),
        # refused at 00:30 Riga time on 16 March (still 15 March in UTC);
        # April 2026 is summer time (UTC+3)
        (
            ApplicationStatus.REFUSED,
            dt.datetime(2024, 3, 15, 22, 30, tzinfo=UTC),
            None,
            dt.datetime(2026, 4, 15, 21, 0, tzinfo=UTC),
        ),
    ],
)
async def test_closed_application_is_ordered_for_purge_exactly_when_due(
    h: Harness,
    status: ApplicationStatus,
    changed_at: dt.datetime,
    effective: dt.date | None,
    purge_at: dt.datetime,
) -> None:
    h.clock.set(changed_at)
    app_id = uuid.uuid4()
    closing = status_changed(app_id, 4, status, changed_at, effective)
    # the closing event delivered twice: one deadline, applied once
    await h.send(status_changed(app_id, 1, ApplicationStatus.DRAFT, changed_at), closing, closing)
    d = await h.wait_state(app_id, DeadlineState.SCHEDULED, APP)
    assert d.due_at == purge_at
    tracked = await h.db.tracked_applications.find_one({"_id": str(app_id)})
    assert (tracked["status"], tracked["events_applied"]) == (status.value, 2)

    # One second before Riga midnight of the purge day: nothing.
    h.clock.set(purge_at - dt.timedelta(seconds=1))
    await h.nothing_more_ordered(app_id, APP)
    assert await h.state(app_id, APP) is DeadlineState.SCHEDULED

    h.clock.set(purge_at)
    [order] = await h.wait_orders(app_id, 1)  # the first order of its partition key
    assert order.payload.subject.kind is APP
    assert order.payload.owners == (ServiceName.APPLICATIONS, ServiceName.DOCUMENTS)
    assert order.payload.attempt == 1
    assert order.payload.ordered_at == purge_at
    assert order.producer == "retention"

    await h.send(
        confirmation(order, ServiceName.APPLICATIONS, {"applications": 1}, purge_at),
        confirmation(order, ServiceName.DOCUMENTS, {"documents": 2, "fs.chunks": 3}, purge_at),
    )
    done = await h.wait_state(app_id, DeadlineState.PURGED, APP)
    assert done.purged_at == purge_at
    entry = await h.completed_entry(order)
    assert entry["subject_id"] == str(app_id)
    assert entry["completed_at"] == purge_at
    assert entry["attempts"] == 1
    assert entry["confirmations"]["applications"]["deleted"] == {"applications": 1}
    assert entry["confirmations"]["documents"]["deleted"] == {"documents": 2, "fs.chunks": 3}
    # Nothing is tracked any more for a purged application.
    assert await h.db.tracked_applications.find_one({"_id": str(app_id)}) is None
    await h.sweeps()
    assert len(h.log.of(str(app_id))) == 1  # a finished purge is never ordered again


async def test_reopen_cancels_out_of_order_loses_and_correction_moves(h: Harness) -> None:
    t = dt.datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    h.clock.set(t)
    reopened, late, corrected = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    late_closing = status_changed(late, 5, ApplicationStatus.RETURNED, t)
    await h.send(
        status_changed(reopened, 5, ApplicationStatus.RETURNED, t),
        status_changed(reopened, 6, ApplicationStatus.ISSUED, t + dt.timedelta(days=1)),
        # the reopening arrives before the (older) closing: the closing loses
        status_changed(late, 6, ApplicationStatus.ISSUED, t + dt.timedelta(days=1)),
        late_closing,
        status_changed(corrected, 5, ApplicationStatus.RETURNED, t, dt.date(2024, 1, 10)),
        status_changed(corrected, 6, ApplicationStatus.RETURNED, t, dt.date(2024, 2, 29)),
    )
    await h.wait_state(reopened, DeadlineState.CANCELLED, APP)

    async def moved() -> Deadline | None:
        d = await h.deadline(corrected, APP)
        return d if d is not None and d.source_version == 6 else None

    d = await eventually(moved)
    assert d.closed_on == dt.date(2024, 2, 29)
    assert d.due_at == dt.datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # 29 March 2026, Riga
    await h.applied("application-events", late_closing)
    tracked = await h.db.tracked_applications.find_one({"_id": str(late)})
    assert (tracked["status"], tracked["events_applied"]) == ("issued", 1)
    assert await h.deadline(late, APP) is None

    # The old deadline of ``corrected`` (10 February 2026) passes: nothing.
    h.clock.set(dt.datetime(2026, 3, 28, 21, 59, tzinfo=UTC))
    await h.nothing_more_ordered(corrected, APP)
    await h.nothing_more_ordered(reopened, APP)
    await h.nothing_more_ordered(late, APP)

    h.clock.set(dt.datetime(2026, 3, 28, 22, 0, tzinfo=UTC))
    [moved_order] = await h.wait_orders(corrected, 1)
    assert moved_order.payload.ordered_at == dt.datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    # Closed again after the reopening: scheduled again from the new date.
    h.clock.set(t)
    await h.send(
        status_changed(reopened, 7, ApplicationStatus.WITHDRAWN, t + dt.timedelta(days=30))
    )
    again = await h.wait_state(reopened, DeadlineState.SCHEDULED, APP)
    assert again.closed_on == dt.date(2024, 2, 9)
    assert again.due_at == dt.datetime(2026, 3, 8, 22, 0, tzinfo=UTC)


async def test_hold_blocks_and_release_resumes(h: Harness) -> None:
    t = dt.datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    h.clock.set(t)
    held, held_early = uuid.uuid4(), uuid.uuid4()
    await h.send(status_changed(held, 3, ApplicationStatus.REFUSED, t))
    await h.wait_state(held, DeadlineState.SCHEDULED, APP)

    r = await asyncio.to_thread(h.cli, "hold", str(held), "--reason", "lost device dispute")
    assert r.exit_code == 0, r.output
    assert "hold placed" in r.output
    # A hold placed before the application is even closed blocks its deadline too.
    r = await asyncio.to_thread(h.cli, "hold", str(held_early), "--reason", "court case 12/2024")
    assert r.exit_code == 0, r.output
    await h.send(status_changed(held_early, 3, ApplicationStatus.RETURNED, t))
    early = await h.wait_state(held_early, DeadlineState.SCHEDULED, APP)
    assert early.held

    r = await asyncio.to_thread(h.cli, "hold", str(held), "--reason", "again")
    assert (r.exit_code, "already on hold" in r.output) == (0, True)
    r = await asyncio.to_thread(h.cli, "hold", "not-an-id", "--reason", "x")
    assert r.exit_code == 2

    h.clock.set(dt.datetime(2026, 6, 1, tzinfo=UTC))  # months past both deadlines
    await h.nothing_more_ordered(held, APP)
    await h.nothing_more_ordered(held_early, APP)

    r = await asyncio.to_thread(h.cli, "report", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    held_ids = {item["subject_id"]: item for item in report["held"]}
    assert held_ids[str(held)]["reason"] == "lost device dispute"
    assert held_ids[str(held)]["state"] == "scheduled"

    r = await asyncio.to_thread(h.cli, "release", str(held))
    assert r.exit_code == 0, r.output
    assert "hold released" in r.output
    [order] = await h.wait_orders(held, 1)
    assert order.payload.attempt == 1
    await h.nothing_more_ordered(held_early, APP)  # still held

    entries = await h.db.purge_ledger.find({"subject_id": str(held)}).sort("_id").to_list()
    kinds = sorted(e["entry"] for e in entries)
    assert kinds == ["hold_placed", "hold_released", "purge"]
    r = await asyncio.to_thread(h.cli, "release", str(held))
    assert (r.exit_code, "not on hold" in r.output) == (0, True)


async def test_owner_down_gets_the_order_again_and_purge_completes_only_when_all_confirmed(
    h: Harness,
) -> None:
    t = dt.datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    h.clock.set(t)
    app_id = uuid.uuid4()
    await h.send(status_changed(app_id, 2, ApplicationStatus.WITHDRAWN, t))
    d = await h.wait_state(app_id, DeadlineState.SCHEDULED, APP)
    due = d.due_at
    h.clock.set(due)
    [first] = await h.wait_orders(app_id, 1)
    # documents deletes and confirms; applications is down and never sees attempt 1
    docs_ok = confirmation(first, ServiceName.DOCUMENTS, {"documents": 1}, due)
    await h.send(docs_ok)

    async def documents_confirmed() -> Deadline | None:
        d = await h.deadline(app_id, APP)
        return d if d is not None and d.confirmed == (ServiceName.DOCUMENTS,) else None

    await eventually(documents_confirmed)
    r = await asyncio.to_thread(h.cli, "report", "--json")
    waiting = [u for u in json.loads(r.output)["unconfirmed"] if u["subject_id"] == str(app_id)]
    assert waiting[0]["missing_owners"] == ["applications"]

    h.clock.set(due + RETRY - dt.timedelta(seconds=1))  # backoff not over yet
    await h.nothing_more_ordered(app_id, APP, orders=1)

    h.clock.set(due + RETRY)
    second = (await h.wait_orders(app_id, 2))[1]
    assert second.payload.attempt == 2
    assert second.payload.ordered_at == due + RETRY
    assert second.payload.order_id == first.payload.order_id
    assert await h.state(app_id, APP) is DeadlineState.ORDERED

    # Attempt 3 waits twice as long.
    h.clock.set(due + 3 * RETRY)
    third = (await h.wait_orders(app_id, 3))[2]
    assert third.payload.attempt == 3

    # Duplicates: the same confirmation again (same event id) and a second
    # confirmation by documents (new event id, after it had nothing left).
    again = confirmation(second, ServiceName.DOCUMENTS, {"documents": 0}, due + RETRY)
    await h.send(docs_ok, again)
    await h.applied("purge-confirmations", again)
    entry_id = f"purge:{first.payload.order_id}"
    entry = await h.db.purge_ledger.find_one({"_id": entry_id})
    assert entry["confirmations"]["documents"]["deleted"] == {"documents": 1}
    assert entry["completed_at"] is None
    # Not complete yet: the application's status is still tracked.
    assert await h.db.tracked_applications.find_one({"_id": str(app_id)}) is not None

    # applications is back; it answers the order of attempt 1 (same order id)
    await h.send(confirmation(first, ServiceName.APPLICATIONS, {"applications": 1}, due))
    done = await h.wait_state(app_id, DeadlineState.PURGED, APP)
    assert set(done.confirmed) == {ServiceName.APPLICATIONS, ServiceName.DOCUMENTS}
    entry = await h.completed_entry(first)
    assert entry["attempts"] == 3
    assert entry["completed_at"] == h.clock.now()
    h.clock.set(due + 100 * RETRY)
    await h.nothing_more_ordered(app_id, APP, orders=3)


async def test_my_data_printout_is_purged_24_hours_after_rendering(h: Harness) -> None:
    rendered_at = dt.datetime(2026, 5, 10, 8, 0, tzinfo=UTC)
    h.clock.set(rendered_at)
    printout, act = uuid.uuid4(), uuid.uuid4()

    def rendered(doc_id: uuid.UUID, kind: DocumentKind) -> Rendered:
        return Rendered(
            producer="documents",
            correlation_id="printout-test",
            payload=RenderedPayload(
                document_id=doc_id,
                number="MD-1",
                kind=kind,
                sha256="0" * 64,
                size_bytes=1000,
                rendered_at=rendered_at,
            ),
        )

    event = rendered(printout, DocumentKind.MY_DATA_PRINTOUT)
    act_event = rendered(act, DocumentKind.HANDOVER_ACT)
    await h.send(event, event, act_event)
    d = await h.wait_state(printout, DeadlineState.SCHEDULED, DOC)
    assert d.due_at == rendered_at + dt.timedelta(hours=24)
    assert d.version == 1  # the duplicate changed nothing
    await h.applied("document-events", act_event)
    assert await h.deadline(act, DOC) is None  # handover acts follow their application

    h.clock.set(rendered_at + dt.timedelta(hours=23, minutes=59))
    await h.nothing_more_ordered(printout, DOC)

    h.clock.set(rendered_at + dt.timedelta(hours=24))
    [order] = await h.wait_orders(printout, 1)
    assert order.payload.ordered_at == rendered_at + dt.timedelta(hours=24)
    assert order.payload.subject.kind is DOC
    assert order.payload.owners == (ServiceName.DOCUMENTS,)
    await h.send(confirmation(order, ServiceName.DOCUMENTS, {"documents": 1}, h.clock.now()))
    await h.wait_state(printout, DeadlineState.PURGED, DOC)


async def test_dry_run_lists_what_is_due_and_changes_nothing(h: Harness) -> None:
    t = dt.datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
    h.clock.set(t)
    app_id = uuid.uuid4()
    await h.send(status_changed(app_id, 2, ApplicationStatus.RETURNED, t, dt.date(2030, 1, 31)))
    d = await h.wait_state(app_id, DeadlineState.SCHEDULED, APP)
    assert d.due_at == dt.datetime(2032, 2, 28, 22, 0, tzinfo=UTC)  # 29 February: a leap year

    r = await asyncio.to_thread(
        h.cli, "sweep", "--dry-run", "--json", "--at", "2032-02-29T00:00:00+02:00"
    )
    assert r.exit_code == 0, r.output
    preview = json.loads(r.output)
    planned = [o for o in preview["orders"] if o["subject_id"] == str(app_id)]
    assert planned[0]["owners"] == ["applications", "documents"]
    assert planned[0]["attempt"] == 1
    r = await asyncio.to_thread(
        h.cli, "sweep", "--dry-run", "--json", "--at", "2032-02-28T23:59:59+02:00"
    )
    assert str(app_id) not in r.output  # not a day before
    r = await asyncio.to_thread(h.cli, "sweep", "--dry-run", "--at", "2032-02-29T00:00:00+02:00")
    assert str(app_id) in r.output
    assert "would be sent" in r.output
    r = await asyncio.to_thread(h.cli, "sweep", "--at", "2032-02-29T00:00:00+02:00")
    assert r.exit_code == 2  # never order early

    r = await asyncio.to_thread(h.cli, "report", "--json")
    upcoming = {m["month"]: m for m in json.loads(r.output)["upcoming"]}
    assert upcoming["2032-02"]["applications"] >= 1
    r = await asyncio.to_thread(h.cli, "report")
    assert "Upcoming deletions" in r.output
    assert "2032-02" in r.output

    assert await h.state(app_id, APP) is DeadlineState.SCHEDULED
    assert h.log.of(str(app_id)) == []


async def test_health_and_metrics_need_no_token(h: Harness) -> None:
    assert (await h.service.client.get("/health/ready")).status_code == 200
    r = await h.service.client.get("/health/metrics")
    assert r.status_code == 200
    body = r.json()
    assert body["sweeps"] > 0
    assert body["purge_orders"] >= 1


PERSONAL_CODE = re.compile(r"(?<![0-9A-Za-z])\d{6}-?\d{5}(?![0-9A-Za-z])")  # not the tail of a UUID


async def test_retention_database_holds_no_personal_data(h: Harness) -> None:
    app_id = uuid.uuid4()
    r = await asyncio.to_thread(
        h.cli, "hold", str(app_id), "--reason", "parent 010185-11111 disputes the loss"
    )
    assert r.exit_code == 0, r.output
    hold = await h.db.holds.find_one({"_id": f"application:{app_id}"})
    assert hold["reason"] == "parent [personal-code] disputes the loss"

    allowed_ledger_fields = {
        "_id",
        "entry",
        "order_id",
        "subject_kind",
        "subject_id",
        "closed_on",
        "due_at",
        "first_ordered_at",
        "last_ordered_at",
        "attempts",
        "owners",
        "confirmations",
        "completed_at",
        "at",
        "reason",
    }
    ledger = await h.db.purge_ledger.find({}).to_list()
    assert ledger  # earlier tests filled it
    for entry in ledger:
        assert set(entry) <= allowed_ledger_fields, entry
        for confirmation_ in entry.get("confirmations", {}).values():
            assert set(confirmation_) == {"confirmed_at", "recorded_at", "attempt", "deleted"}
            assert all(isinstance(n, int) for n in confirmation_["deleted"].values())

    for name in await h.db.list_collection_names():
        if name == "outbox":
            continue  # purge orders in transit: ids only, checked below
        for doc in await h.db[name].find({}).to_list():
            text = json.dumps(doc, default=str)
            assert not PERSONAL_CODE.search(text), (name, text)
    # No personal-code field anywhere, whatever its value.
    for doc in await h.db.deadlines.find({}).to_list():
        assert not {"personal_code", "applicant_code", "learner_code", "name"} & set(doc)
