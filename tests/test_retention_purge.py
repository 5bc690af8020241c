"""Retention end to end: a returned application and its documents disappear
from every service exactly when due (closing date + 25 months), not a day
before, and afterwards no trace of its personal data is left in any database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from edu_contracts import topics
from edu_contracts.retention import PurgeConfirmed, PurgeConfirmedPayload, PurgeOrdered
from edu_retention.domain.rules import application_purge_date, start_of_riga_day
from edu_tools.testing import eventually

from tests.conftest import Stack
from tests.flows import (
    APPS,
    ITEMS,
    Actors,
    TopicLog,
    linked,
    message_sent,
    messages_shown,
    ok,
    purge_completed,
    purge_planned,
    ready_with_item,
    retention_ops,
    staff_post,
    submitted,
    tell,
)


async def returned_application(stack: Stack, a: Actors) -> dict[str, Any]:
    c = stack.applications.client
    app = await submitted(stack, a)
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    app, _ = await ready_with_item(
        stack, a, app, model="HP ProBook 440", serial_number=f"5CD-{app['id'][:8]}"
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
    """Every document of every collection of one service's database, as text.

    The privacy audit of this test, and deliberately not an API: "no trace of
    personal data is left anywhere" is a claim about what is stored, including
    collections no API shows (outbox, inbox, logs, caches), so the audit reads
    every service's database whole. The purge itself is observed the way other
    services see it: its events and the services' APIs."""
    db = stack.db(settings)
    parts = []
    for name in await db.list_collection_names():
        docs = await asyncio.wait_for(db[name].find({}).to_list(), timeout=20)
        parts += [f"{name}: {json.dumps(doc, default=str, ensure_ascii=False)}" for doc in docs]
    return "\n".join(parts)


async def test_returned_application_is_purged_from_every_service_when_due(
    stack: Stack, actors: Actors
) -> None:
    a = actors
    app = await returned_application(stack, a)
    app_id = app["id"]
    # The laptop's serial number: in the application until the purge, and in
    # the register after it (the item stays, without the learner).
    serial = app["item"]["serial_number"]
    acts = [await linked(stack, app_id, a.parent, kind) for kind in ("handover_act", "return_act")]
    # The stack's retention does not sweep on its own: the test moves its clock
    # and triggers each sweep, and a sweep's orders are committed when it returns.
    sweeper = stack.retention.app.state["sweeper"]
    bootstrap = stack.retention_settings.kafka_bootstrap

    # Retention's clock starts on the day the device came back; asked through
    # its operator interface (a dry run), the purge is planned 25 months later.
    closed_on = dt.date.fromisoformat(app["return_record"]["returned_on"])
    due_on = application_purge_date(closed_on)
    assert (due_on.year * 12 + due_on.month) - (closed_on.year * 12 + closed_on.month) == 25
    due_at = start_of_riga_day(due_on)
    planned = await purge_planned(stack, app_id, due_at)
    assert dt.datetime.fromisoformat(planned["due_at"]) == due_at
    assert sorted(planned["owners"]) == ["applications", "documents"]

    # What notifications sent about it is on its page until the purge.
    await tell(stack, message_sent(app, "return_recorded", dt.datetime.now(dt.UTC)))
    await messages_shown(stack, app_id, a.parent, 1)

    # The audit sees the data while it is there (both acts, the application).
    assert app_id in await dump_database(stack, stack.documents_settings)
    before = await dump_database(stack, stack.applications_settings)
    for secret in (a.world.child.code, app_id, serial):
        assert secret in before, f"the audit cannot see {secret!r}"

    async with (
        TopicLog(bootstrap, topics.RETENTION_ORDERS) as orders,
        TopicLog(bootstrap, topics.RETENTION_CONFIRMATIONS) as confirmations,
    ):
        try:
            # The day before: nothing is ordered. After that sweep, retention
            # still plans the first order (attempt 1) for the day it is due.
            stack.clock.set(due_at - dt.timedelta(minutes=1))
            await sweeper.sweep_once()
            preview = await retention_ops(
                stack, "sweep", "--dry-run", "--at", due_at.isoformat(), "--limit", "10000"
            )
            [still] = [o for o in preview["orders"] if o["subject_id"] == app_id]
            assert still["attempt"] == 1
            assert (
                await ok(await stack.applications.client.get(f"{APPS}/{app_id}", headers=a.parent))
            )["id"] == app_id
            for act in acts:
                pdf = await stack.documents.client.get(
                    f"/api/v1/documents/{act['document_id']}/pdf", headers=a.parent
                )
                assert pdf.status_code == 200

            # The day it is due: ordered, deleted by applications and documents, confirmed.
            ordered_at = due_at + dt.timedelta(hours=1)
            stack.clock.set(ordered_at)
            await sweeper.sweep_once()
            [record] = await eventually(lambda: orders.of(app_id), timeout=30)
            order = PurgeOrdered.model_validate_json(record.value).payload
            assert (order.attempt, order.ordered_at) == (1, ordered_at)
            assert {o.value for o in order.owners} == {"applications", "documents"}

            async def both_confirmed() -> dict[str, PurgeConfirmedPayload] | None:
                found = [
                    PurgeConfirmed.model_validate_json(r.value).payload
                    for r in await confirmations.of(app_id)
                ]
                mine = {c.owner.value: c for c in found if c.order_id == order.order_id}
                return mine if len(mine) == 2 else None

            confirmed = await eventually(both_confirmed, timeout=30)

            # Retention recorded both: the purge is no longer waiting for anyone.
            await purge_completed(stack, app_id)
        finally:
            stack.clock.set(dt.datetime.now(dt.UTC))

    assert set(confirmed) == {"applications", "documents"}
    # What was deleted and by whom, with counts only.
    assert confirmed["applications"].deleted.get("applications") == 1
    assert confirmed["applications"].deleted.get("sent_messages") == 1
    assert confirmed["documents"].deleted.get("documents", 0) >= len(acts)
    r = await stack.applications.client.get(f"{APPS}/{app_id}", headers=a.parent)
    assert r.status_code == 404
    for act in acts:
        pdf = await stack.documents.client.get(
            f"/api/v1/documents/{act['document_id']}/pdf", headers=a.parent
        )
        assert pdf.status_code == 404

    # The privacy audit: no trace of this world's personal data in any database.
    for settings in (
        stack.applications_settings,
        stack.documents_settings,
        stack.retention_settings,
    ):
        everything = await dump_database(stack, settings)
        # Codes are unique to this test's world (names are shared by every world).
        for secret in (a.world.parent.code, a.world.child.code):
            assert secret not in everything, f"{secret!r} left in {settings.mongo_db}"

    # The register keeps the laptop and its history, with no link to the learner's
    # application (the item's moves are anonymous now).
    item = await ok(
        await stack.applications.client.get(f"{ITEMS}/{app['item']['item_id']}", headers=a.staff)
    )
    assert item["serial_number"] == serial
    assert item["application_id"] is None
    assert [c["move"] for c in item["history"]] == ["register", "reserve", "issue", "return"]
    assert all(c["application_id"] is None and c["why"] == "" for c in item["history"][1:])
