"""The institutions' daily digest against the real embedded Kafka and MongoDB
and a real SMTP server (aiosmtpd): lending settings and status changes in, one
digest per school and Riga day out at 07:00 the next morning (on a clock the
test moves), once however often the events are delivered."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from edu_contracts.applications import (
    ActorRole,
    ApplicationStatus,
    StatusChanged,
)
from edu_contracts.envelope import Envelope
from edu_contracts.lending import LendingSettingsChanged, LendingSettingsPayload
from edu_notifications.adapters.sender import Sender
from edu_notifications.adapters.store import from_ms
from edu_tools.backends import Backends
from edu_tools.testing import eventually

from .conftest import PORTAL, Running, body, running, status_changed

# A summer morning in Riga (UTC+3): 12:00 local.
MORNING = dt.datetime(2030, 7, 15, 9, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2030, 7, 16, 4, 0, tzinfo=dt.UTC)  # 07:00 in Riga on 16 July


class MovableClock:
    """Real time shifted to wherever the test puts it (the sender keeps running)."""

    def __init__(self, start: dt.datetime) -> None:
        self.offset = start - dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def move_to(self, instant: dt.datetime) -> None:
        self.offset = instant - dt.datetime.now(dt.UTC)


@dataclass
class Harness(Running):
    sender: Sender = field(init=False)

    def __post_init__(self) -> None:
        self.sender = self.app.state["sender"]

    async def sender_looked(self) -> None:
        """Two more rounds of the sender: what was due then has been tried."""
        start = self.sender.stats.loops

        async def probe() -> bool:
            return self.sender.stats.loops >= start + 2

        await eventually(probe, timeout=10)


@pytest.fixture(scope="module")
async def h(make_settings: Callable[..., Any], edu_backends: Backends) -> AsyncIterator[Harness]:
    async with running(make_settings, edu_backends, clock=MovableClock(MORNING)) as r:
        yield Harness(**vars(r))


def school() -> str:
    return f"inst-{uuid.uuid4().hex[:8]}"


def lending(institution_id: str, version: int, contact_email: str | None) -> LendingSettingsChanged:
    return LendingSettingsChanged(
        producer="applications",
        correlation_id=f"test-{institution_id}",
        payload=LendingSettingsPayload(
            institution_id=institution_id,
            version=version,
            accepting_applications=True,
            contact_email=contact_email,
            changed_at=MORNING,
        ),
    )


def status(
    app_id: uuid.UUID,
    institution_id: str,
    version: int,
    to: ApplicationStatus,
    *,
    reference: str,
    at: dt.datetime,
) -> StatusChanged:
    """A change of an application of ``institution_id``, by the system."""
    return status_changed(
        app_id,
        version,
        to,
        institution_id=institution_id,
        application_reference=reference,
        changed_at=at,
        actor_role=ActorRole.SYSTEM,
    )


async def told_parents(h: Harness, *app_ids: uuid.UUID, count: int) -> None:
    """Each application's own messages arrived: its partition's earlier events were applied."""
    for app_id in app_ids:
        await h.received(f"parent-{app_id.hex[:8]}@example.lv", count)


async def test_two_submissions_make_one_digest_at_seven_the_next_morning_however_often_told(
    h: Harness,
) -> None:
    h.clock.move_to(MORNING)
    inst, to = school(), f"pieteikumi-{uuid.uuid4().hex[:6]}@skola.lv"
    first, second = uuid.uuid4(), uuid.uuid4()
    events: list[Envelope] = [
        lending(inst, 1, to),
        status(first, inst, 3, ApplicationStatus.SUBMITTED, reference="IR-AAAA-0001", at=MORNING),
        status(
            second,
            inst,
            3,
            ApplicationStatus.SUBMITTED,
            reference="IR-AAAA-0002",
            at=MORNING + dt.timedelta(hours=2),
        ),
    ]
    await h.send(*events)
    key = f"daily_digest:{inst}:2030-07-15"
    queued = await h.message(key, subject="Jauni pieteikumi 15.07.2030.: 2")
    assert queued["state"] == "queued"
    assert from_ms(queued["next_attempt_ms"]) == DUE
    assert queued["application_id"] is None
    assert queued["institution_id"] == inst

    # Kafka delivers everything again, and the first submission is published
    # once more under a new event id (which the inbox cannot catch).
    again = status(
        first, inst, 3, ApplicationStatus.SUBMITTED, reference="IR-AAAA-0001", at=MORNING
    )
    await h.send(*events, again)
    # A later change of each application, once told, proves the repeats were applied.
    await h.send(
        status(first, inst, 4, ApplicationStatus.GRANTED, reference="IR-AAAA-0001", at=MORNING),
        status(second, inst, 4, ApplicationStatus.GRANTED, reference="IR-AAAA-0002", at=MORNING),
    )
    await told_parents(h, first, second, count=2)
    doc = await h.message(key)
    assert doc["subject"] == "Jauni pieteikumi 15.07.2030.: 2"
    assert await h.db.daily_submissions.count_documents({"institution_id": inst}) == 2

    # A minute before 07:00 in Riga nothing goes.
    h.clock.move_to(DUE - dt.timedelta(minutes=1))
    await h.sender_looked()
    assert h.mailbox.to(to) == []

    # At 07:00 the digest goes, once.
    h.clock.move_to(DUE + dt.timedelta(seconds=1))
    [got] = await h.received(to, 1)
    assert got["Subject"] == "Jauni pieteikumi 15.07.2030.: 2"
    text = body(got)
    assert "jauno resursu pieteikumu skaits: 2." in text
    numbers = re.search(r"Pieteikumu numuri: ([^\r\n]*)\.", text)
    assert numbers is not None
    assert sorted(numbers.group(1).split(", ")) == ["IR-AAAA-0001", "IR-AAAA-0002"]
    assert f"{PORTAL}/skola/?statuss=submitted" in text
    assert "parent-" not in text  # nobody's address, name or personal code
    await h.message(key, state="sent")
    await h.sender_looked()
    assert len(h.mailbox.to(to)) == 1


async def test_no_digest_for_a_school_without_an_address(h: Harness) -> None:
    now = h.clock()
    without, never_set = school(), school()
    a, b = uuid.uuid4(), uuid.uuid4()
    await h.send(
        lending(without, 1, None),
        status(a, without, 3, ApplicationStatus.SUBMITTED, reference="IR-BBBB-0001", at=now),
        status(b, never_set, 3, ApplicationStatus.SUBMITTED, reference="IR-BBBB-0002", at=now),
    )
    await told_parents(h, a, b, count=1)
    for inst in (without, never_set):
        assert await h.db.messages.count_documents({"institution_id": inst}) == 0


async def test_a_removed_address_cancels_the_waiting_digest_and_an_older_snapshot_changes_nothing(
    h: Harness,
) -> None:
    h.clock.move_to(MORNING + dt.timedelta(days=30))
    now = h.clock()
    inst, to = school(), f"pieteikumi-{uuid.uuid4().hex[:6]}@skola.lv"
    app_id = uuid.uuid4()
    await h.send(
        lending(inst, 1, to),
        status(app_id, inst, 3, ApplicationStatus.SUBMITTED, reference="IR-CCCC-0001", at=now),
    )
    key = f"daily_digest:{inst}:2030-08-14"
    await h.message(key, state="queued")
    await h.send(lending(inst, 3, None))
    await h.message(key, state="cancelled")
    # Version 2 (with an address) arrives late: the newest settings stand. Once
    # version 4 (same partition, after it) is stored, version 2 was applied.
    await h.send(lending(inst, 2, to), lending(inst, 4, None))
    contact = await eventually(
        lambda: h.db.institution_contacts.find_one({"_id": inst, "version": 4}), timeout=20
    )
    assert contact["email"] is None
    assert (await h.db.messages.find_one({"_id": key}))["state"] == "cancelled"
