"""Issue #23's "done when", against the real services: a parent's application
goes through submitted, granted, ready for issue, the handover and a loss
report, and the
notifications service (on the same embedded Kafka and MongoDB, delivering to a
real SMTP server) sends each message once, in Latvian (in English for an
application made in English), with a working link to the application's page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from typing import Any

import pytest
from edu_tools.testing import eventually

from tests.conftest import Stack
from tests.flows import (
    APPS,
    Actors,
    linked,
    messages_shown,
    ok,
    ready_with_item,
    staff_post,
    submitted,
)
from tests.mail import PORTAL, Mailbox, notifications_delivering, text_of


@pytest.fixture(scope="module")
async def mailbox(stack: Stack, make_settings: Callable[..., Any]) -> AsyncIterator[Mailbox]:
    async with notifications_delivering(make_settings) as (box, _):
        yield box


async def received(box: Mailbox, app_id: str, count: int) -> list[EmailMessage]:
    async def probe() -> list[EmailMessage] | None:
        found = box.about(app_id)
        return found if len(found) >= count else None

    return await eventually(probe, timeout=60)


async def through_the_handover(stack: Stack, a: Actors, headers: dict[str, str]) -> dict[str, Any]:
    app = await submitted(stack, a, headers=headers)
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    app, _ = await ready_with_item(stack, a, app)
    app = await ok(
        await stack.applications.client.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=headers,
        )
    )
    await linked(stack, app["id"], headers, "handover_act")
    return app


async def test_a_parent_finds_each_message_once_in_latvian_with_working_links(
    stack: Stack, actors: Actors, mailbox: Mailbox
) -> None:
    app = await through_the_handover(stack, actors, actors.parent)
    app_id, ref = app["id"], app["reference"]
    got = await received(mailbox, app_id, 4)
    # The act's message may overtake the status messages (another topic).
    got.sort(key=lambda m: "akts" in str(m["Subject"]))
    assert [m["Subject"] for m in got] == [
        f"Pieteikums {ref} ir iesniegts",
        f"Pieteikums {ref} ir apstiprināts",
        f"Gatavs izsniegšanai: pieteikums {ref}",
        f"Pieņemšanas-nodošanas akts: pieteikums {ref}",
    ]
    assert all(m["To"] == "liga@example.lv" for m in got)
    assert f"Atvērt portālā: {PORTAL}/pieteikumi/{app_id}" in text_of(got[0]).splitlines()
    act = await linked(stack, app_id, actors.parent, "handover_act")
    assert f"{PORTAL}/pieteikumi/{app_id}/dokumenti/{act['document_id']}" in text_of(got[3])
    # A loss report is acknowledged; its message is the last one caused, so
    # anything told twice would have arrived by then: each came once.
    app = await ok(await stack.applications.client.get(f"{APPS}/{app_id}", headers=actors.parent))
    await ok(
        await stack.applications.client.post(
            f"{APPS}/{app_id}/incidents",
            json={
                "version": app["version"],
                "kind": "lost",
                "description": "Pazaudēts ceļā uz mājām",
            },
            headers=actors.parent,
        ),
        201,
    )
    got = await received(mailbox, app_id, 5)
    assert got[4]["Subject"] == f"Ziņojums saņemts: pieteikums {ref}"
    assert len(mailbox.about(app_id)) == 5
    for m in got:
        assert actors.world.parent.code not in text_of(m)
        assert actors.world.child.code not in text_of(m)


async def test_an_application_made_in_english_is_told_in_english(
    stack: Stack, actors: Actors, mailbox: Mailbox
) -> None:
    english = {**actors.parent, "Accept-Language": "en"}
    app = await submitted(stack, actors, headers=english)
    app_id = app["id"]
    [got] = await received(mailbox, app_id, 1)
    assert got["Subject"] == f"Application {app['reference']} has been submitted"
    assert f"{PORTAL}/pieteikumi/{app_id}?lang=en" in text_of(got)
    # The application's page lists what was sent (applications' read model of
    # notifications' message-sent events): the subject as sent, no address.
    [shown] = await messages_shown(stack, app_id, english, 1)
    assert (shown["kind"], shown["subject"], shown["channel"]) == (
        "submitted",
        got["Subject"],
        "email",
    )
