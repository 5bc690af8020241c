"""The item register's store on the real embedded MongoDB (#22): numbers unique
as the index says, a move saved only over the version it was read at, stock
counted by the server, search by the start of a number."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest
from edu_applications.adapters.items_store import ItemStore, NumberTaken
from edu_applications.domain.items import Item, ItemDetails, count_stock
from edu_contracts.items import ItemMove, ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_runtime.mongo import StaleVersion, transaction
from edu_tools.backends import Backends
from pymongo import AsyncMongoClient

AT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)


def item(inst: str, number: str, kind: LendingResourceType = LendingResourceType.LAPTOP) -> Item:
    details = ItemDetails(
        resource_type=kind,
        model="Lenovo 300e",
        inventory_number=number,
        serial_number=f"SN {inst} {number}",
        target_group=ResourceTargetGroup.EVERYONE,
    )
    return Item.register(uuid.uuid4(), inst, details, at=AT, by="Anna Ozola")


@pytest.fixture
async def store(edu_backends: Backends) -> AsyncIterator[tuple[ItemStore, AsyncMongoClient]]:  # type: ignore[type-arg]
    client: AsyncMongoClient = AsyncMongoClient(edu_backends.mongo_url, tz_aware=True)  # type: ignore[type-arg]
    db = client[f"items_{uuid.uuid4().hex[:8]}"]
    items = ItemStore(db)
    await items.ensure_indexes()
    yield items, client
    await client.drop_database(db.name)
    await client.close()


async def test_numbers_are_unique_and_a_batch_is_all_or_nothing(
    store: tuple[ItemStore, AsyncMongoClient],  # type: ignore[type-arg]
) -> None:
    items, client = store
    async with transaction(client) as session:
        await items.add_all([item("i1", "INV-1"), item("i1", "INV-2")], session)
    # The same inventory number elsewhere is another school's business.
    async with transaction(client) as session:
        await items.add_all([item("i2", "INV-1")], session)
    with pytest.raises(NumberTaken):
        async with transaction(client) as session:
            await items.add_all([item("i1", "INV-3"), item("i1", "inv-2")], session)
    found, total = await items.search("i1")
    assert total == 2
    assert [i.inventory_number for i in found] == ["INV-1", "INV-2"]
    taken_inv, taken_ser = await items.taken_numbers("i1", [" inv-1", "INV-9"], ["SN i2 INV-1"])
    assert taken_inv == {"inv-1"}
    assert taken_ser == {"sni2inv-1"}


async def test_two_staff_reserving_the_last_item_one_wins(
    store: tuple[ItemStore, AsyncMongoClient],  # type: ignore[type-arg]
) -> None:
    items, client = store
    last = item("i1", "INV-42")
    async with transaction(client) as session:
        await items.add_all([last], session)

    # Both pages were read before either saved: the version check decides.
    read = await items.get("i1", last.item_id)
    assert read is not None

    async def reserve(by: str) -> str:
        moved = read.move(ItemMove.RESERVE, at=AT, by=by, application_id=uuid.uuid4())
        try:
            async with transaction(client) as session:
                await items.save(read.version, moved, session)
        except StaleVersion:
            return "told"
        return "won"

    outcomes = await asyncio.gather(reserve("Anna"), reserve("Berta"))
    assert sorted(outcomes) == ["told", "won"]
    stored = await items.get("i1", last.item_id)
    assert stored is not None
    assert stored.state is ItemState.RESERVED
    assert len(stored.history) == 2


async def test_stock_search_and_scan(
    store: tuple[ItemStore, AsyncMongoClient],  # type: ignore[type-arg]
) -> None:
    items, client = store
    batch = [item("i1", f"INV-{n:04d}") for n in range(1, 6)]
    batch.append(item("i1", "TAB-1", LendingResourceType.TABLET))
    async with transaction(client) as session:
        await items.add_all(batch, session)
    issued = batch[0].move(ItemMove.RESERVE, at=AT, by="A", application_id=uuid.uuid4())
    async with transaction(client) as session:
        await items.save(batch[0].version, issued, session)
    stock = count_stock(await items.stock_keys("i1"))
    assert [(s.key.resource_type, s.counts) for s in stock] == [
        (LendingResourceType.LAPTOP, {ItemState.AVAILABLE: 4, ItemState.RESERVED: 1}),
        (LendingResourceType.TABLET, {ItemState.AVAILABLE: 1}),
    ]
    page, total = await items.search(
        "i1",
        text="inv-000",
        states=[ItemState.AVAILABLE],
        resource_type=LendingResourceType.LAPTOP,
        target_group=ResourceTargetGroup.EVERYONE,
        limit=2,
    )
    assert total == 4
    assert [i.inventory_number for i in page] == ["INV-0002", "INV-0003"]
    # No inventory number starts so: the serial numbers are searched instead.
    page, total = await items.search("i1", text="sn i1 tab")
    assert (total, [i.inventory_number for i in page]) == (1, ["TAB-1"])
    page, total = await items.search("i1", text="INV-0004 ", states=[ItemState.RESERVED])
    assert (total, page) == (0, [])
    scanned = await items.by_number("i1", " inv-0005 ")
    assert scanned is not None
    assert scanned.item_id == batch[4].item_id
    assert await items.by_number("i2", "INV-0005") is None
