"""Issue #23 point 5: the application's page lists what was sent about it and
when. Applications keeps notifications' ``notification.message-sent.v1`` in
its read model and shows it, newest first, to whoever may see the application
(the applicant, the institution's staff); each message once however often it
is told; gone with the application's purge (tests/test_retention_purge.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.conftest import Stack
from tests.flows import (
    APPS,
    STAFF,
    Actors,
    message_sent,
    messages_shown,
    ok,
    submitted,
    tell,
)


async def test_the_messages_sent_are_listed_once_newest_first_for_the_applicant_and_the_school(
    stack: Stack, actors: Actors
) -> None:
    app = await submitted(stack, actors)
    app_id = app["id"]
    assert app["messages"] == []  # nothing sent yet
    at = dt.datetime(2026, 9, 1, 9, 30, tzinfo=dt.UTC)
    first = message_sent(
        app, "submitted", at, subject=f"Pieteikums {app['reference']} ir iesniegts"
    )
    later = message_sent(app, "granted", at + dt.timedelta(hours=2))
    # The first told three times: redelivered as it was (the inbox drops it),
    # and again under a new event id (the message's key drops it). The later
    # one, on the same partition, is applied after them.
    again = first.model_copy(update={"event_id": uuid.uuid4()})
    await tell(stack, first, first, again, later)
    shown = await messages_shown(stack, app_id, actors.parent, 2)
    assert [
        (m["kind"], m["subject"], dt.datetime.fromisoformat(m["sent_at"]), m["channel"])
        for m in shown
    ] == [
        ("granted", later.payload.subject, at + dt.timedelta(hours=2), "email"),
        ("submitted", f"Pieteikums {app['reference']} ir iesniegts", at, "email"),
    ]
    # The institution's staff see the same; someone else sees nothing of it.
    staff = await ok(await stack.applications.client.get(f"{STAFF}/{app_id}", headers=actors.staff))
    assert staff["messages"] == shown
    stranger = await stack.applications.client.get(f"{APPS}/{app_id}", headers=actors.stranger)
    assert stranger.status_code in {403, 404}
