"""The sweeper and the store without the service around them, on the real
embedded MongoDB: concurrent sweepers, unknown confirmations."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from edu_contracts.retention import PurgeConfirmedPayload, PurgeSubject, PurgeSubjectKind
from edu_contracts.services import ServiceName
from edu_retention.adapters.store import RetentionStore
from edu_retention.adapters.sweeper import Sweeper
from edu_retention.clock import ManualClock
from edu_retention.domain.model import DeadlineState, new_application_deadline
from edu_retention.service import RetentionService
from edu_retention.settings import RetentionSettings
from edu_runtime.mongo import CODEC_OPTIONS, create_client, transaction
from edu_runtime.outbox import Outbox
from edu_runtime.unit_of_work import UnitsOfWork

NOW = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
async def store(make_settings: Callable[..., Any]) -> AsyncIterator[RetentionStore]:
    settings: RetentionSettings = make_settings(RetentionSettings)
    client = create_client(settings.mongo_url, "retention-test")
    db = client.get_database(settings.mongo_db, codec_options=CODEC_OPTIONS)
    s = RetentionStore(db)
    await s.ensure_indexes()
    yield s
    await client.drop_database(settings.mongo_db)
    await client.close()


@pytest.fixture
def service(store: RetentionStore) -> RetentionService:
    db = store.deadlines.database
    return RetentionService(store, UnitsOfWork(db.client, Outbox(db)), ManualClock(NOW))


async def add_due(store: RetentionStore, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    async with transaction(store.deadlines.database.client) as session:
        for i, app_id in enumerate(ids):
            d = new_application_deadline(
                app_id,
                due_at=NOW - dt.timedelta(minutes=i),
                closed_on=dt.date(2024, 1, 1),
                status="returned",
                source=3,
                held=False,
            )
            await store.deadlines.insert_one(
                {**_doc(d)},
                session=session,
            )
    return ids


def _doc(d: Any) -> dict[str, Any]:
    from edu_retention.adapters.store import deadline_to_doc

    return deadline_to_doc(d)


def sweeper(service: RetentionService, batch: int) -> Sweeper:
    return Sweeper(
        service,
        ManualClock(NOW),
        policy=RetentionSettings(mongo_db="x").retry_policy,
        batch_size=batch,
        interval_seconds=60,
    )


async def test_two_sweepers_at_once_order_each_deadline_once(
    store: RetentionStore, service: RetentionService
) -> None:
    ids = await add_due(store, 60)
    results = await asyncio.gather(
        sweeper(service, 7).sweep_once(), sweeper(service, 11).sweep_once()
    )
    ordered = [r.ordered for r in results]
    assert sum(ordered) == 60, ordered
    outbox = await store.deadlines.database["outbox"].find({}).to_list()
    assert sorted(o["key"] for o in outbox) == sorted(ids)  # one order each, none lost
    for app_id in ids:
        d = await store.get(PurgeSubjectKind.APPLICATION, app_id)
        assert d is not None
        assert (d.state, d.attempt) == (DeadlineState.ORDERED, 1)
    assert await store.ledger.count_documents({"entry": "purge"}) == 60
    assert await store.leases.count_documents({}) == 0  # released
    # Nothing is due any more until the backoff runs out.
    assert (await sweeper(service, 7).sweep_once()).ordered == 0


async def test_a_live_lease_skips_the_sweep_and_an_expired_one_is_taken_over(
    store: RetentionStore, service: RetentionService
) -> None:
    await add_due(store, 3)
    live = {"_id": "sweeper", "holder": "other-host:1", "expires_at_ms": 2**53}
    await store.leases.insert_one(live)
    skipped = await sweeper(service, 10).sweep_once()
    assert (skipped.skipped, skipped.ordered) == (True, 0)
    await store.leases.replace_one({"_id": "sweeper"}, {**live, "expires_at_ms": 0})
    taken = await sweeper(service, 10).sweep_once()
    assert (taken.skipped, taken.ordered) == (False, 3)


async def test_confirmation_of_an_unknown_order_is_ignored(
    store: RetentionStore, service: RetentionService
) -> None:
    [app_id] = await add_due(store, 1)
    await sweeper(service, 10).sweep_once()
    stranger = PurgeConfirmedPayload(
        order_id=uuid.uuid4(),
        owner=ServiceName.APPLICATIONS,
        subject=PurgeSubject(kind=PurgeSubjectKind.APPLICATION, id=app_id),
        deleted={"applications": 1},
        confirmed_at=NOW,
    )
    db = store.deadlines.database
    units = UnitsOfWork(db.client, Outbox(db))
    assert not await units.run(lambda uow: service.confirm(stranger, uow))
    d = await store.get(PurgeSubjectKind.APPLICATION, app_id)
    assert d is not None
    assert d.confirmed == ()
    assert d.state is DeadlineState.ORDERED
