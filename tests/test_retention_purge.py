"""Retention end to end: a returned application and its documents disappear
from every service exactly when due (closing date + 25 months), not a day
before, and afterwards no trace of its personal data is left in any database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from edu_retention.domain.rules import application_purge_date, start_of_riga_day
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import eventually

from tests.conftest import Stack
from tests.flows import APPS, Actors, linked, make_actors, ok, staff_post, submitted


@pytest.fixture
async def actors(stack: Stack, gateway: GatewayKeys) -> Actors:
    return await make_actors(stack, gateway)


async def returned_application(stack: Stack, a: Actors) -> dict[str, Any]:
    c = stack.applications.client
    app = await submitted(stack, a)
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    app = await staff_post(
        stack,
        a,
        app,
        "ready-for-issue",
        {"model": "HP ProBook 440", "inventory_number": "INV-PURGE", "serial_number": "5CD123XYZ"},
    )
    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=a.parent,
        )
    )
    await linked(stack, app["id"], a.parent, "handover_act")
    app = await staff_post(stack, a, app, "return", {"condition": "good"})
    await linked(stack, app["id"], a.parent, "return_act")
    return app


async def dump_database(stack: Stack, settings: Any) -> str:
    """Every document of every collection of one service's database, as text."""
    db = stack.db(settings)
    parts = []
    for name in await db.list_collection_names():
        if name.endswith(("chunks", "files")):
            # GridFS: file bodies are compressed PDF bytes with no searchable
            # text (and the embedded server cannot scan them); the documents
            # service's own purge test checks files and chunks are deleted.
            continue
        docs = await asyncio.wait_for(db[name].find({}).to_list(), timeout=20)
        parts += [f"{name}: {json.dumps(doc, default=str, ensure_ascii=False)}" for doc in docs]
    return "\n".join(parts)


async def test_returned_application_is_purged_from_every_service_when_due(
    stack: Stack, actors: Actors
) -> None:
    a = actors
    app = await returned_application(stack, a)
    app_id = app["id"]
    retention_db = stack.db(stack.retention_settings)
    sweeper = stack.retention.app.state["sweeper"]

    async def scheduled() -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await retention_db.deadlines.find_one({"subject_id": app_id})
        return doc if doc and doc["state"] != "cancelled" else None

    deadline = await eventually(scheduled)
    closed_on = dt.date.fromisoformat(deadline["closed_on"])
    due_on = application_purge_date(closed_on)
    assert (due_on.year * 12 + due_on.month) - (closed_on.year * 12 + closed_on.month) == 25

    assert app_id in await dump_database(stack, stack.documents_settings)  # both acts are there

    try:
        # The day before: nothing happens.
        stack.clock.set(start_of_riga_day(due_on) - dt.timedelta(minutes=1))
        await sweeper.sweep_once()
        assert (
            await retention_db.purge_ledger.find_one({"entry": "purge", "subject_id": app_id})
            is None
        )
        assert (
            await ok(await stack.applications.client.get(f"{APPS}/{app_id}", headers=a.parent))
        )["id"] == app_id

        # The day it is due: ordered, deleted by applications and documents, confirmed.
        stack.clock.set(start_of_riga_day(due_on) + dt.timedelta(hours=1))
        await sweeper.sweep_once()

        async def purged() -> dict[str, Any] | None:
            entry = await retention_db.purge_ledger.find_one(
                {"entry": "purge", "subject_id": app_id}
            )
            return entry if entry and entry.get("completed_at") else None

        entry = await eventually(purged, timeout=30)
    finally:
        stack.clock.set(dt.datetime.now(dt.UTC))

    assert set(entry["confirmations"]) == {"applications", "documents"}
    r = await stack.applications.client.get(f"{APPS}/{app_id}", headers=a.parent)
    assert r.status_code == 404
    for settings in (
        stack.applications_settings,
        stack.documents_settings,
        stack.retention_settings,
    ):
        everything = await dump_database(stack, settings)
        # Codes are unique to this test's world (names are shared by every world).
        for secret in (a.world.parent.code, a.world.child.code, "INV-PURGE", "5CD123XYZ"):
            assert secret not in everything, f"{secret!r} left in {settings.mongo_db}"
    # The ledger says what was deleted and by whom, with counts only.
    assert '"applications": 1' in json.dumps(entry["confirmations"]["applications"], default=str)
