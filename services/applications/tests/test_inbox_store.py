"""The staff inbox's store on the real embedded MongoDB: the stock's awaiting
counts come from the server's ``$group`` on ``awaiting_item``, and
applications stored before that field get it at start-up (``backfill``)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from edu_applications.adapters.inbox_store import InboxStore
from edu_applications.adapters.store import to_doc
from edu_applications.domain.items import StockKey
from edu_contracts.applications import ApplicationStatus
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_tools.backends import Backends
from edu_tools.bench_inbox import stored_application
from edu_tools.personal_codes import UniqueCodes
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
LAPTOPS = StockKey(
    resource_type=LendingResourceType.LAPTOP, target_group=ResourceTargetGroup.EVERYONE
)
TABLETS = StockKey(
    resource_type=LendingResourceType.TABLET, target_group=ResourceTargetGroup.EVERYONE
)


@pytest.fixture
async def applications(edu_backends: Backends) -> AsyncIterator[AsyncCollection[Any]]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(edu_backends.mongo_url, tz_aware=True)
    db = client[f"inbox_{uuid.uuid4().hex[:8]}"]
    yield db["applications"]
    await client.drop_database(db.name)
    await client.close()


async def test_awaiting_items_are_counted_per_stock_and_old_applications_are_backfilled(
    applications: AsyncCollection[Any],
) -> None:
    rng, codes = random.Random(7), UniqueCodes(start=901)

    def doc(i: int, status: ApplicationStatus, kind: str, institution: str = "S1") -> Any:
        app = stored_application(
            rng, codes, i, NOW, institution_id=institution, status=status, kind=kind
        )
        return to_doc(app)

    old = doc(5, ApplicationStatus.GRANTED, "laptop")
    del old["awaiting_item"]  # stored before the field existed
    await applications.insert_many(
        [
            doc(1, ApplicationStatus.GRANTED, "laptop"),
            doc(2, ApplicationStatus.GRANTED, "tablet"),
            doc(3, ApplicationStatus.GRANTED, "tablet"),
            doc(4, ApplicationStatus.SUBMITTED, "laptop"),  # not granted: waits for nothing
            doc(6, ApplicationStatus.GRANTED, "projector"),  # not a register's type
            doc(7, ApplicationStatus.GRANTED, "laptop", institution="S2"),
            old,
        ]
    )
    inbox = InboxStore(applications)
    assert await inbox.awaiting_items("S1") == {LAPTOPS: 1, TABLETS: 2}

    await inbox.backfill()
    assert await inbox.awaiting_items("S1") == {LAPTOPS: 2, TABLETS: 2}
    assert await inbox.awaiting_items("S2") == {LAPTOPS: 1}
    # Written with an empty value where nothing is awaited, so the next
    # start-up's backfill finds nothing left to write.
    assert await applications.count_documents({"awaiting_item": {"$exists": False}}) == 0
    assert await applications.count_documents({"awaiting_item": ""}) == 2
