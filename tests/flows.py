"""Steps shared by the cross-service tests: people with tokens, and the
wizard and staff actions through the public HTTP APIs."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from edu_contracts.documents import Language
from edu_contracts.envelope import Envelope
from edu_contracts.notifications import MessageKind, MessageSent, MessageSentPayload
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer, eventually, publish

from tests.conftest import Stack
from tests.world import World

APPS = "/api/v1/applications"
STAFF = "/api/v1/staff/applications"
REGISTER = "/api/v1/staff/item-register"


@dataclass
class Actors:
    """Tokens for the people of one world."""

    world: World
    parent: dict[str, str]
    adult: dict[str, str]
    employee_citizen: dict[str, str]
    stranger: dict[str, str]
    staff: dict[str, str]
    other_staff: dict[str, str]


async def make_actors(stack: Stack, gateway: GatewayKeys) -> Actors:
    world = await stack.world()
    w = world

    def citizen(p: Any) -> dict[str, str]:
        return bearer(gateway.mint(p.code, given_name=p.given_name, family_name=p.family_name))

    return Actors(
        world=w,
        parent=citizen(w.parent),
        adult=citizen(w.adult_learner),
        employee_citizen=citizen(w.employee),
        stranger=citizen(w.stranger),
        staff=bearer(
            gateway.mint(
                w.employee.code,
                role="staff",
                institution_id=w.institution_id,
                given_name="Ūna",
                family_name="Šķēle",
            )
        ),
        other_staff=bearer(
            gateway.mint(w.stranger.code, role="staff", institution_id=w.other_institution_id)
        ),
    )


async def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def refused(response: Any, status: int, reason: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["reason"] == reason, body
    return body


async def accept_terms(stack: Stack, headers: dict[str, str]) -> None:
    await ok(
        await stack.applications.client.post(
            "/api/v1/terms/resource-applications/acceptance", json={}, headers=headers
        ),
        201,
    )


async def receipt_documents(stack: Stack, headers: dict[str, str]) -> list[dict[str, str]]:
    body = await ok(
        await stack.documents.client.get("/api/v1/documents/receipt-documents", headers=headers)
    )
    return [{"code": d["code"], "version": d["version"]} for d in body["items"]]


async def complete_draft(
    stack: Stack,
    a: Actors,
    headers: dict[str, str],
    *,
    role: str = "parent_or_guardian",
    learner: str | None = None,
    institution: str | None = None,
    offer: str | None = None,
) -> dict[str, Any]:
    c = stack.applications.client
    w = a.world
    body: dict[str, Any] = {"role": role}
    if role == "parent_or_guardian":
        body["learner_code"] = learner or w.child.code
    app = await ok(await c.post(APPS, json=body, headers=headers), 201)
    url = f"{APPS}/{app['id']}"
    app = await ok(
        await c.put(
            f"{url}/institution",
            json={"version": app["version"], "institution_id": institution or w.institution_id},
            headers=headers,
        )
    )
    app = await ok(
        await c.put(
            f"{url}/social-status",
            json={"version": app["version"], "socially_supported": False},
            headers=headers,
        )
    )
    app = await ok(
        await c.put(
            f"{url}/resource",
            json={"version": app["version"], "offer_id": offer or w.laptop_offer},
            headers=headers,
        )
    )
    docs = await receipt_documents(stack, headers)
    app = await ok(
        await c.put(
            f"{url}/documents",
            json={"version": app["version"], "acknowledged": docs},
            headers=headers,
        )
    )
    return await ok(
        await c.patch(
            f"{url}/contact",
            json={"version": app["version"], "phone": "2612 3456", "email": "liga@example.lv"},
            headers=headers,
        )
    )


async def wait_status(
    stack: Stack, app_id: str, headers: dict[str, str], status: str
) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        body = await ok(await stack.applications.client.get(f"{APPS}/{app_id}", headers=headers))
        return body if body["status"] == status else None

    return await eventually(probe, timeout=60)


async def submitted(stack: Stack, a: Actors, **kwargs: Any) -> dict[str, Any]:
    headers = kwargs.pop("headers", a.parent)
    await accept_terms(stack, headers)
    app = await complete_draft(stack, a, headers, **kwargs)
    app = await ok(
        await stack.applications.client.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=headers
        ),
        202,
    )
    assert app["status"] == "being_verified"
    return await wait_status(stack, app["id"], headers, "submitted")


async def register_items(
    stack: Stack,
    headers: dict[str, str],
    n: int,
    resource_type: str = "laptop",
    target_group: str = "everyone",
) -> list[dict[str, Any]]:
    """``n`` items in the staff member's register (a bulk grant grants no more
    applications of a type and target group than it has free)."""
    tag = uuid.uuid4().hex[:8].upper()
    return [
        await ok(
            await stack.applications.client.post(
                f"{REGISTER}/items",
                json=item_body(
                    f"{tag}-{i:03d}",
                    resource_type=resource_type,
                    target_group=target_group,
                    model="Lenovo 300e",
                ),
                headers=headers,
            ),
            201,
        )
        for i in range(1, n + 1)
    ]


def item_body(
    inventory_number: str,
    *,
    resource_type: str = "laptop",
    target_group: str = "everyone",
    model: str = "Lenovo ThinkPad E14",
    serial_number: str | None = None,
) -> dict[str, str]:
    """What staff type to add an item to the register."""
    return {
        "resource_type": resource_type,
        "model": model,
        "inventory_number": inventory_number,
        "serial_number": serial_number or f"SN-{inventory_number}",
        "target_group": target_group,
    }


async def staff_post(
    stack: Stack,
    a: Actors,
    app: dict[str, Any],
    action: str,
    body: dict[str, Any],
    status: int = 200,
) -> dict[str, Any]:
    current = await ok(await stack.applications.client.get(f"{STAFF}/{app['id']}", headers=a.staff))
    return await ok(
        await stack.applications.client.post(
            f"{STAFF}/{app['id']}/{action}",
            json={"version": current["version"], **body},
            headers=a.staff,
        ),
        status,
    )


async def pdf_to_text(source: bytes | Path, *, layout: bool = False) -> str:
    """A PDF's text (its bytes or its file), read back with poppler's pdftotext
    (``layout``: in columns, as laid out)."""
    path = "-" if isinstance(source, bytes) else str(source)
    argv = ["pdftotext", *(["-layout"] if layout else []), path, "-"]
    content = source if isinstance(source, bytes) else None
    done = await asyncio.to_thread(
        subprocess.run, argv, input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


async def pdf_text(stack: Stack, document_id: str, headers: dict[str, str]) -> str:
    """The text of a document's PDF, fetched from documents' API."""
    r = await stack.documents.client.get(f"/api/v1/documents/{document_id}/pdf", headers=headers)
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF")
    return await pdf_to_text(r.content)


async def linked(stack: Stack, app_id: str, headers: dict[str, str], kind: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        body = await ok(await stack.applications.client.get(f"{APPS}/{app_id}", headers=headers))
        docs = [d for d in body["documents"] if d["kind"] == kind and d["status"] == "rendered"]
        return docs[0] if docs else None

    return await eventually(probe, timeout=60)


async def retention_ops(stack: Stack, *args: str) -> dict[str, Any]:
    """Retention's operator command line (``edu-retention-ops``, ``edu retention``)
    with ``--json``: the interface retention offers for reading its state, so
    the cross-service tests need not know its collections."""
    from edu_retention.cli import app as retention_cli
    from typer.testing import CliRunner

    env = {
        "EDU_MONGO_URL": stack.retention_settings.mongo_url,
        "EDU_RETENTION_MONGO_DB": stack.retention_settings.mongo_db,
    }
    result = await asyncio.to_thread(CliRunner().invoke, retention_cli, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


async def purge_planned(stack: Stack, app_id: str, at: dt.datetime) -> dict[str, Any]:
    """Wait until retention would order ``app_id``'s purge at ``at`` (a dry run:
    nothing is ordered) and return the planned order."""

    async def probe() -> dict[str, Any] | None:
        preview = await retention_ops(
            stack, "sweep", "--dry-run", "--at", at.isoformat(), "--limit", "10000"
        )
        return next((o for o in preview["orders"] if o["subject_id"] == app_id), None)

    return await eventually(probe, timeout=30)


async def purge_completed(stack: Stack, subject_id: str) -> None:
    """Wait until retention has heard back from every owner of ``subject_id``'s
    purge: its operator report no longer lists the purge as unconfirmed. Proof
    of completion only once the purge was ordered (the caller saw the order or
    its effect): a subject never ordered is not listed either."""

    async def done() -> bool:
        report = await retention_ops(stack, "report")
        return subject_id not in [u["subject_id"] for u in report["unconfirmed"]]

    await eventually(done, timeout=30)


@dataclass
class Published:
    """One record of a topic: where it is and what it says."""

    partition: TopicPartition
    offset: int
    key: bytes | None
    value: bytes


class TopicLog:
    """Everything on one topic so far, read by partition (no consumer group, no
    join to wait for): what the services published, as any consumer sees it."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.records: list[Published] = []
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._assigned: list[TopicPartition] = []

    async def __aenter__(self) -> TopicLog:
        await self._consumer.start()
        await self._consumer.topics()
        partitions = self._consumer.partitions_for_topic(self.topic) or set()
        self._assigned = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        assert self._assigned, f"{self.topic} has no partitions"
        self._consumer.assign(self._assigned)
        await self._consumer.seek_to_beginning(*self._assigned)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def catch_up(self) -> list[Published]:
        """Read up to the end of every partition as it is now: anything published
        before this call is in ``records`` when it returns."""
        ends = await self._consumer.end_offsets(self._assigned)
        while True:
            positions = [await self._consumer.position(tp) for tp in self._assigned]
            if all(pos >= ends[tp] for pos, tp in zip(positions, self._assigned, strict=True)):
                return self.records
            batch = await self._consumer.getmany(timeout_ms=200)
            for tp, records in batch.items():
                self.records += [Published(tp, r.offset, r.key, r.value or b"") for r in records]

    async def of(self, key: str) -> list[Published]:
        """The records keyed ``key`` (an application's or a subject's id)
        published so far, in order."""
        return [r for r in await self.catch_up() if r.key == key.encode()]


def message_sent(
    app: dict[str, Any], kind: str, sent_at: dt.datetime, *, subject: str | None = None
) -> MessageSent:
    """What notifications publishes once it has sent a message about ``app``."""
    return MessageSent(
        producer="notifications",
        correlation_id=f"test-{app['id']}",
        payload=MessageSentPayload(
            message_key=f"{kind}:{app['id']}:v{app['version']}",
            application_id=app["id"],
            kind=MessageKind(kind),
            language=Language.LV,
            subject=subject or f"{kind}: pieteikums {app['reference']}",
            sent_at=sent_at,
        ),
    )


async def tell(stack: Stack, *events: Envelope) -> None:
    """Publish ``events`` on the stack's Kafka as their producers' outboxes would."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.applications_settings.kafka_bootstrap)
    await producer.start()
    try:
        await publish(producer, *events)
    finally:
        await producer.stop()


async def messages_shown(
    stack: Stack, app_id: str, headers: dict[str, str], count: int, url: str = APPS
) -> list[dict[str, Any]]:
    """The messages listed on the application's detail, once there are ``count``."""

    async def probe() -> list[dict[str, Any]] | None:
        body = await ok(await stack.applications.client.get(f"{url}/{app_id}", headers=headers))
        shown: list[dict[str, Any]] = body["messages"]
        return shown if len(shown) >= count else None

    return await eventually(probe, timeout=60)


ITEMS = "/api/v1/staff/item-register/items"


async def register_item(
    stack: Stack,
    a: Actors,
    inventory_number: str,
    *,
    resource_type: str = "laptop",
    target_group: str = "everyone",
    model: str = "Lenovo ThinkPad E14",
    serial_number: str | None = None,
) -> dict[str, Any]:
    """An item in the school's register, as staff add one by hand."""
    body = item_body(
        inventory_number,
        resource_type=resource_type,
        target_group=target_group,
        model=model,
        serial_number=serial_number,
    )
    return await ok(await stack.applications.client.post(ITEMS, json=body, headers=a.staff), 201)


async def ready_with_item(
    stack: Stack,
    a: Actors,
    app: dict[str, Any],
    *,
    model: str = "Lenovo ThinkPad E14",
    serial_number: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ready for issue as the school does it: a laptop put in the register (its
    number unique to the application, as the tests share one register), then
    reserved for the application. Returns the application and the item."""
    item = await register_item(
        stack, a, f"INV-{app['id'][:8]}", model=model, serial_number=serial_number
    )
    app = await staff_post(stack, a, app, "item-reservation", {"item_id": item["item_id"]})
    return app, item
