"""Issue #23's "done when", against the real services: a parent's application
goes through submitted, granted, ready for issue, the handover and a loss
report, and the
notifications service (on the same embedded Kafka and MongoDB, delivering to a
real SMTP server) sends each message once, in Latvian (in English for an
application made in English), with a working link to the application's page."""

from __future__ import annotations

import email
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from edu_notifications.app import create_app
from edu_notifications.settings import NotificationsSettings
from edu_tools.backends import free_port
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import eventually, serving

from tests.conftest import Stack
from tests.flows import APPS, Actors, linked, make_actors, ok, staff_post, submitted

PORTAL = "https://izglitiba.example.lv"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def about(self, app_id: str) -> list[EmailMessage]:
        """The messages whose text links to the application's pages."""
        with self.lock:
            return [m for m in self.messages if f"/pieteikumi/{app_id}" in _text(m)]


def _text(m: EmailMessage) -> str:
    part = m.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


@pytest.fixture(scope="module")
async def mailbox(stack: Stack, make_settings: Callable[..., Any]) -> AsyncIterator[Mailbox]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings: NotificationsSettings = make_settings(
        NotificationsSettings,
        smtp_port=port,
        portal_address=PORTAL,
        sender_poll_seconds=0.2,
    )
    try:
        async with serving(create_app(settings), settings.http_port):
            yield box
    finally:
        controller.stop()


@pytest.fixture
async def actors(stack: Stack, gateway: GatewayKeys) -> Actors:
    return await make_actors(stack, gateway)


async def received(box: Mailbox, app_id: str, count: int) -> list[EmailMessage]:
    async def probe() -> list[EmailMessage] | None:
        found = box.about(app_id)
        return found if len(found) >= count else None

    return await eventually(probe, timeout=60)


async def through_the_handover(stack: Stack, a: Actors, headers: dict[str, str]) -> dict[str, Any]:
    app = await submitted(stack, a, headers=headers)
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    app = await staff_post(
        stack,
        a,
        app,
        "ready-for-issue",
        {"model": "Lenovo ThinkPad E14", "inventory_number": "INV-7", "serial_number": "PF3X"},
    )
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
    assert f"Atvērt portālā: {PORTAL}/pieteikumi/{app_id}" in _text(got[0]).splitlines()
    act = await linked(stack, app_id, actors.parent, "handover_act")
    assert f"{PORTAL}/pieteikumi/{app_id}/dokumenti/{act['document_id']}" in _text(got[3])
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
        assert actors.world.parent.code not in _text(m)
        assert actors.world.child.code not in _text(m)


async def test_an_application_made_in_english_is_told_in_english(
    stack: Stack, actors: Actors, mailbox: Mailbox
) -> None:
    english = {**actors.parent, "Accept-Language": "en"}
    app = await submitted(stack, actors, headers=english)
    app_id = app["id"]
    [got] = await received(mailbox, app_id, 1)
    assert got["Subject"] == f"Application {app['reference']} has been submitted"
    assert f"{PORTAL}/pieteikumi/{app_id}?lang=en" in _text(got)
