"""Fault injection under load (a command, not a test; ``tests/test_fault_injection.py``
runs a short version).

Starts the embedded Kafka and MongoDB and the four services as processes on free
ports, supervised like ``edu up`` (a crashed service is restarted with
backoff). While families fill and submit applications, staff grant them and
prepare the items, parents confirm receipt and print their child's "My data",
it ``kill -9``s each service in turn and the MongoDB server. Then it waits for
the system to settle and proves, from the APIs and the topics:

- every accepted submission reached exactly one verdict (one distinct verdict
  event; the application left "being verified" once);
- every confirmed receipt has exactly one handover act, with one number;
- every accepted printout request was rendered exactly once;
- every accepted submission was told by e-mail exactly once (notifications,
  delivering to a real SMTP server in this process): one "submitted" message
  per application. Delivered twice with the same Message-ID (a kill between
  the relay's OK and recording it: SMTP is at least once) is counted apart;
- no dead letters, and no document number given to two documents.

Clients retry what failed while a server was down, as the portal would; a
change whose answer was lost is checked by reading the state back, not sent
blindly again. Kafka itself is not killed: the embedded broker keeps nothing on
disk (ARCHITECTURE.md, Reliability).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from edu_contracts import topics
from pymongo import AsyncMongoClient

from edu_tools.backends import Backends, ChildProcess, free_port
from edu_tools.bench_applications import families, seed_registry
from edu_tools.gateway import GatewayKeys
from edu_tools.stack import RunningStack, free_ports, local_url
from edu_tools.stack import start_stack as start_local_stack
from edu_tools.supervisor import Supervised, same_again

SERVICES = ("registry-reader", "applications", "documents", "retention", "notifications")
VICTIMS = (*SERVICES, "mongodb")
RETRYABLE = {502, 503, 504}
AFTER_VERDICT = {"submitted", "rejected", "granted", "postponed", "refused", "ready_for_issue"}


class Unavailable(Exception):
    """No answer within the client's patience."""


@dataclass
class Figures:
    requests: int = 0
    retried: int = 0
    kills: int = 0
    recoveries: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    submissions: int = 0
    receipts: int = 0
    printouts: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    dead_letters: int = 0
    errors: list[str] = field(default_factory=list)
    emails: int = 0
    emails_resent: int = 0  # the same message (same Message-ID) delivered again

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.dead_letters or self.errors)

    def report(self) -> str:
        recover = [t for times in self.recoveries.values() for t in times]
        worst = max(recover, default=0.0)
        mean = sum(recover) / len(recover) if recover else 0.0
        per_victim = ", ".join(
            f"{name} {max(times):.1f} s" for name, times in sorted(self.recoveries.items())
        )
        lines = [
            f"requests: {self.requests} HTTP ({self.retried} retried after a failure)",
            f"kills: {self.kills} (kill -9, in turn: {', '.join(sorted(self.recoveries))})",
            f"accepted submissions: {self.submissions}, confirmed receipts: {self.receipts}, "
            f"printouts: {self.printouts}",
            f"lost: {len(self.lost)}",
            f"duplicated: {len(self.duplicated)}",
            f"dead letters: {self.dead_letters}",
            f"e-mails: {self.emails} ({self.emails_resent} delivered again with the same "
            "Message-ID)",
            f"time to recover: mean {mean:.1f} s, worst {worst:.1f} s ({per_victim})",
        ]
        lines += [f"  LOST {x}" for x in self.lost[:20]]
        lines += [f"  DUPLICATED {x}" for x in self.duplicated[:20]]
        lines += [f"  ERROR {x}" for x in self.errors[:20]]
        return "\n".join(lines)


class Client:
    """HTTP with the patience of a portal: connection failures and 5xx are
    retried for up to ``patience`` seconds."""

    def __init__(self, http: httpx.AsyncClient, figures: Figures, patience: float) -> None:
        self.http = http
        self.figures = figures
        self.patience = patience

    async def call(
        self, method: str, url: str, headers: dict[str, str], body: Any = None
    ) -> httpx.Response:
        deadline = time.monotonic() + self.patience
        attempt = 0
        while True:
            attempt += 1
            self.figures.requests += 1
            try:
                r = await self.http.request(method, url, headers=headers, json=body)
                if r.status_code < 500 or r.status_code not in RETRYABLE | {500}:
                    return r
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise Unavailable(f"{method} {url}")
            self.figures.retried += 1
            await asyncio.sleep(min(0.2 * attempt, 2.0))

    async def change(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: Any,
        done: Callable[[], Awaitable[bool]],
    ) -> httpx.Response | None:
        """A change that may have been applied although its answer was lost:
        before sending it again, ``done()`` reads the state back."""
        deadline = time.monotonic() + self.patience
        while True:
            self.figures.requests += 1
            try:
                r = await self.http.request(method, url, headers=headers, json=body)
                if r.status_code not in RETRYABLE | {500}:
                    return r
            except httpx.HTTPError:
                pass
            self.figures.retried += 1
            await asyncio.sleep(0.3)
            with contextlib.suppress(Unavailable):
                if await done():
                    return None
            if time.monotonic() > deadline:
                raise Unavailable(f"{method} {url}")


@dataclass
class Mailbox:
    """The SMTP server's side: deliveries per message key (X-Edu-Message-Key)."""

    keys: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Runs in the SMTP server's own thread.
        content: bytes = envelope.content
        marker = b"X-Edu-Message-Key: "
        start = content.find(marker)
        if start >= 0:
            end = content.find(b"\r\n", start)
            with self.lock:
                self.keys[content[start + len(marker) : end].decode()] += 1
        return "250 OK"

    def delivered(self) -> dict[str, int]:
        with self.lock:
            return dict(self.keys)


@dataclass
class Stack:
    local: RunningStack
    mailbox: Mailbox
    smtp: Any  # aiosmtpd's Controller
    supervised: dict[str, Supervised] = field(default_factory=dict)

    @property
    def backends(self) -> Backends:
        return self.local.backends

    @property
    def env(self) -> dict[str, str]:
        return self.local.env

    def url(self, service: str) -> str:
        return self.local.url(service)


def _say(message: str) -> None:
    print(f"  supervisor: {message}", flush=True)


def start_stack(work: Path) -> Stack:
    """The services of SERVICES, each supervised (killed ones start again),
    and MongoDB restartable too; not waited for (see ``ready``)."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    ports = free_ports(*SERVICES)
    env: dict[str, str | None] = {
        "EDU_REGISTRY_URL": local_url(ports["registry-reader"]),
        "EDU_DOCUMENTS_URL": local_url(ports["documents"]),
        "EDU_LOG_LEVEL": "WARNING",
        "EDU_OUTBOX_POLL_SECONDS": "0.2",
        "EDU_NOTIFICATIONS_SMTP_PORT": str(smtp_port),
        "EDU_NOTIFICATIONS_SENDER_POLL_SECONDS": "0.2",
        # A claim left by a killed sender is tried again soon.
        "EDU_NOTIFICATIONS_SENDER_LEASE_SECONDS": "5",
    }
    supervised: dict[str, Supervised] = {}

    def restartable_mongo(backends: Backends) -> None:
        mongo = next(c for c in backends.children if c.name == "mongodb")
        restart_mongo = same_again(mongo)

        def start_mongo() -> ChildProcess:
            (work / "mongodb.pid").unlink(missing_ok=True)
            child = restart_mongo()
            backends.children = [c for c in backends.children if c.name != "mongodb"] + [child]
            return child

        supervised["mongodb"] = Supervised("mongodb", start_mongo, _say, mongo)

    def launch(name: str, start: Callable[[], ChildProcess]) -> ChildProcess:
        entry = supervised[name] = Supervised(name, start, _say)
        return entry.launch()

    smtp.start()
    try:
        local = start_local_stack(
            work,
            ports,
            env=env,
            mongo_db_prefix="chaos",
            before_services=restartable_mongo,
            launch=launch,
            ready_timeout=None,
        )
    except BaseException:
        smtp.stop()
        raise
    return Stack(local, mailbox, smtp, supervised)


def stop_stack(stack: Stack) -> None:
    for name in reversed(SERVICES):
        stack.supervised[name].stop()
    stack.smtp.stop()
    stack.backends.stop()


async def supervise(stack: Stack) -> None:
    while True:
        for entry in stack.supervised.values():
            entry.poll()
        await asyncio.sleep(0.2)


async def ready(
    stack: Stack, http: httpx.AsyncClient, names: tuple[str, ...], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending:
        for name in list(pending):
            with contextlib.suppress(httpx.HTTPError):
                r = await http.get(f"{stack.url(name)}/health/ready", timeout=1.0)
                if r.status_code == 200:
                    pending.discard(name)
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(sorted(pending))}")
        await asyncio.sleep(0.2)


def kill9(child: ChildProcess | None) -> None:
    if child is not None and child.proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.proc.pid, signal.SIGKILL)


async def killer(
    stack: Stack,
    http: httpx.AsyncClient,
    figures: Figures,
    rounds: int,
    interval: float,
    victims: tuple[str, ...],
) -> None:
    """Each victim in turn: kill -9, then wait until everything is ready again."""
    for _ in range(rounds):
        for victim in victims:
            await asyncio.sleep(interval)
            killed_at = time.monotonic()
            kill9(stack.supervised[victim].child)
            figures.kills += 1
            print(f"  kill -9 {victim}", flush=True)
            await asyncio.sleep(0.5)
            await ready(stack, http, SERVICES, timeout=120)
            if victim == "mongodb":
                await _mongo_answers(stack.backends.mongo_url, timeout=60)
            recovered = time.monotonic() - killed_at
            figures.recoveries[victim].append(recovered)
            print(f"  {victim} back, everything ready after {recovered:.1f} s", flush=True)


async def _mongo_answers(url: str, timeout: float) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=int(timeout * 1000)
    )
    try:
        await client.admin.command("ping")
    finally:
        await client.close()


@dataclass
class Family:
    parent: str
    child: str
    headers: dict[str, str]
    app_id: str | None = None
    submitted: bool = False
    confirmed: bool = False
    printouts: list[str] = field(default_factory=list)


class Load:
    def __init__(self, stack: Stack, client: Client, keys: GatewayKeys, school: str) -> None:
        self.stack = stack
        self.c = client
        self.keys = keys
        self.school = school
        self.apps = f"{stack.url('applications')}/api/v1"
        self.staff = {
            "Authorization": "Bearer "
            + keys.mint(families(1)[0][0], role="staff", institution_id=school)
        }
        self.acknowledged: list[dict[str, str]] = []

    async def _json(self, r: httpx.Response | None, *expected: int) -> dict[str, Any]:
        if r is None:
            return {}
        if r.status_code not in expected:
            raise AssertionError(f"{r.request.method} {r.request.url} → {r.status_code} {r.text}")
        body: dict[str, Any] = r.json()
        return body

    async def application(self, f: Family) -> dict[str, Any]:
        r = await self.c.call("GET", f"{self.apps}/applications/{f.app_id}", f.headers)
        return await self._json(r, 200)

    async def family(self, f: Family, receipt: bool, printout: bool) -> None:
        h = f.headers
        await self._json(
            await self.c.call("POST", f"{self.apps}/terms/resource-applications/acceptance", h, {}),
            201,
        )
        app = await self._json(
            await self.c.call(
                "POST",
                f"{self.apps}/applications",
                h,
                {"role": "parent_or_guardian", "learner_code": f.child},
            ),
            201,
        )
        f.app_id = app["id"]
        for method, step, body in (
            ("PUT", "institution", {"institution_id": self.school}),
            ("PUT", "social-status", {"socially_supported": False}),
            ("PUT", "resource", {"offer_id": f"{self.school}-LAPTOP"}),
            ("PUT", "documents", {"acknowledged": self.acknowledged}),
            ("PATCH", "contact", {"phone": "+37126123456", "email": "chaos@example.lv"}),
        ):
            # A step is the same value set again: re-sending it on the current
            # version is harmless, so a lost answer is simply retried.
            for _ in range(20):
                version = (await self.application(f))["version"]
                r = await self.c.call(
                    method,
                    f"{self.apps}/applications/{f.app_id}/{step}",
                    h,
                    {"version": version, **body},
                )
                if r.status_code == 200:
                    break
                if r.status_code != 409:
                    await self._json(r, 200)
            else:
                raise AssertionError(f"{step} of {f.app_id}: 409 twenty times: {r.text}")
        version = (await self.application(f))["version"]

        async def submitted() -> bool:
            return bool((await self.application(f))["status"] != "draft")

        await self._json(
            await self.c.change(
                "POST",
                f"{self.apps}/applications/{f.app_id}/submit",
                h,
                {"version": version},
                submitted,
            ),
            202,
        )
        f.submitted = True
        if printout:
            await self.printout(f)
        if receipt:
            await self.receive(f)

    async def printout(self, f: Family) -> None:
        registry = f"{self.stack.url('registry-reader')}/api/v1"
        await self._json(
            await self.c.call("POST", f"{registry}/terms/my-data/acceptance", f.headers, {}), 201
        )
        try:
            r = await self.c.call(
                "POST", f"{registry}/my-data/pdf", f.headers, {"person_code": f.child}
            )
        except Unavailable:
            return
        f.printouts.append((await self._json(r, 202))["document_id"])

    async def _wait_status(
        self, f: Family, wanted: set[str], timeout: float = 180
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            app = await self.application(f)
            if app["status"] in wanted:
                return app
            if time.monotonic() > deadline:
                raise AssertionError(f"{f.app_id} stuck in {app['status']}")
            await asyncio.sleep(0.3)

    async def staff_step(self, f: Family, action: str, body: dict[str, Any], after: str) -> None:
        url = f"{self.apps}/staff/applications/{f.app_id}"

        async def done() -> bool:
            current = await self._json(await self.c.call("GET", url, self.staff), 200)
            return bool(current["status"] == after)

        current = await self._json(await self.c.call("GET", url, self.staff), 200)
        if current["status"] == after:
            return
        await self._json(
            await self.c.change(
                "POST", f"{url}/{action}", self.staff, {"version": current["version"], **body}, done
            ),
            200,
        )

    async def register_item(self, f: Family) -> str:
        """The family's laptop put in the school's register; a registration
        whose answer was lost is found by its number (the scan) rather than
        sent again into a "duplicate" refusal."""
        number = f"INV-{f.app_id}"
        items = f"{self.apps}/staff/item-register"

        async def scanned() -> dict[str, Any] | None:
            r = await self.c.call("GET", f"{items}/scan?number={number}", self.staff)
            return None if r.status_code == 404 else await self._json(r, 200)

        async def registered() -> bool:
            return await scanned() is not None

        if (found := await scanned()) is None:
            body = {
                "resource_type": "laptop",
                "model": "Lenovo E14",
                "inventory_number": number,
                "serial_number": f"S-{f.app_id}",
                "target_group": "everyone",
            }
            r = await self.c.change("POST", f"{items}/items", self.staff, body, registered)
            found = await self._json(r, 201) if r is not None else await scanned()
        assert found is not None
        return str(found["item_id"])

    async def receive(self, f: Family) -> None:
        app = await self._wait_status(f, AFTER_VERDICT)
        if app["status"] != "submitted":
            return
        await self.staff_step(f, "decision", {"decision": "grant"}, "granted")
        item_id = await self.register_item(f)
        await self.staff_step(f, "item-reservation", {"item_id": item_id}, "ready_for_issue")
        version = (await self.application(f))["version"]

        async def issued() -> bool:
            return bool((await self.application(f))["status"] == "issued")

        await self._json(
            await self.c.change(
                "POST",
                f"{self.apps}/applications/{f.app_id}/receipt-confirmation",
                f.headers,
                {"version": version},
                issued,
            ),
            200,
        )
        f.confirmed = True


async def read_topic(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every message on ``topic`` so far (no consumer group: nothing committed)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            await consumer._client.force_metadata_update()  # fresh topic list
            partitions = [
                TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or ())
            ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + 60
        while True:
            behind = [p for p in partitions if await consumer.position(p) < end[p]]
            if not behind:
                return found
            if time.monotonic() > deadline:
                positions = {p.partition: await consumer.position(p) for p in behind}
                raise AssertionError(f"{topic}: stuck at {positions}, end {end}")
            batch = await consumer.getmany(*behind, timeout_ms=1000)
            for records in batch.values():
                found += [json.loads(r.value or b"{}") for r in records]
    finally:
        await consumer.stop()


async def _verdicts(stack: Stack, load: Load, people: list[Family], figures: Figures) -> None:
    """Every accepted submission: exactly one verdict (topic) and one way out of
    "being verified" (the application's history)."""
    bootstrap = stack.backends.kafka_bootstrap
    stuck: list[Family] = []
    for f in people:
        if not f.submitted:
            continue
        figures.submissions += 1
        try:
            app = await load._wait_status(f, AFTER_VERDICT | {"issued"}, timeout=120)
        except AssertionError:
            stuck.append(f)
            continue
        left = [h for h in app["history"] if h.get("from_status") == "being_verified"]
        if len(left) != 1:
            figures.duplicated.append(f"{f.app_id}: left being_verified {len(left)} times")
    verdicts: dict[str, set[str]] = defaultdict(set)
    for event in await read_topic(bootstrap, topics.REGISTRY_VERDICTS):
        verdicts[str(event["payload"]["application_id"])].add(event["event_id"])
    requested = {
        str(e["payload"]["application_id"])
        for e in await read_topic(bootstrap, topics.APPLICATION_EVENTS)
        if e.get("event_type") == "application.verification-requested.v1"
    }
    for f in people:
        if not f.submitted:
            continue
        n = len(verdicts.get(str(f.app_id), set()))
        if n == 0:
            hop = "never requested" if str(f.app_id) not in requested else "no verdict published"
            figures.lost.append(f"verdict of {f.app_id} ({hop})")
        elif n > 1:
            figures.duplicated.append(f"{n} verdicts for {f.app_id}")
        elif f in stuck:
            figures.lost.append(f"verdict of {f.app_id} (published, never applied)")


async def _rendered(
    bootstrap: str, expected: set[str], handover_apps: set[str]
) -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[str]], dict[str, set[str]]]:
    """(document → its rendered events, number → documents, application → handover
    acts), once every expected document appeared or after three minutes."""
    deadline = time.monotonic() + 180
    while True:
        rendered: dict[str, set[tuple[str, str]]] = defaultdict(set)
        numbers: dict[str, set[str]] = defaultdict(set)
        handovers: dict[str, set[str]] = defaultdict(set)
        for event in await read_topic(bootstrap, topics.DOCUMENT_EVENTS):
            if event.get("event_type") != "documents.rendered.v1":
                continue
            payload = event["payload"]
            document = str(payload["document_id"])
            rendered[document].add((event["event_id"], payload["number"]))
            numbers[payload["number"]].add(document)
            if payload.get("application_id") and payload.get("kind") == "handover_act":
                handovers[str(payload["application_id"])].add(document)
        missing = (expected - set(rendered)) | (handover_apps - set(handovers))
        if not missing or time.monotonic() > deadline:
            return rendered, numbers, handovers
        await asyncio.sleep(1.0)


async def _linked_acts(load: Load, f: Family, timeout: float = 60.0) -> list[dict[str, Any]]:
    """The handover acts ``f``'s application links, once one is linked with its
    number (or after ``timeout``). The rendered event being on the topic does
    not mean applications has applied it yet: under load that takes a while."""
    deadline = time.monotonic() + timeout
    while True:
        app = await load.application(f)
        linked = [d for d in app.get("documents", []) if d.get("kind") == "handover_act"]
        if (linked and all(d.get("number") for d in linked)) or time.monotonic() > deadline:
            return linked
        await asyncio.sleep(0.5)


async def _documents(stack: Stack, load: Load, people: list[Family], figures: Figures) -> None:
    """Every printout rendered once; every confirmed receipt one handover act with
    one number (topic and the application); no number on two documents."""
    expected = {d for f in people for d in f.printouts}
    handover_apps = {str(f.app_id) for f in people if f.confirmed}
    rendered, numbers, handovers = await _rendered(
        stack.backends.kafka_bootstrap, expected, handover_apps
    )
    figures.printouts = len(expected)
    figures.receipts = len(handover_apps)
    for document in expected:
        events = rendered.get(document, set())
        if not events:
            figures.lost.append(f"printout {document}")
        elif len(events) > 1:
            figures.duplicated.append(f"printout {document} rendered {len(events)} times")
    for app_id in handover_apps:
        acts = handovers.get(app_id, set())
        if not acts:
            figures.lost.append(f"handover act of {app_id}")
        elif len(acts) > 1:
            figures.duplicated.append(f"{len(acts)} handover acts for {app_id}")
    for f in people:
        if f.confirmed:
            linked = await _linked_acts(load, f)
            if len(linked) > 1:
                figures.duplicated.append(f"{f.app_id} links {len(linked)} handover acts")
            elif not linked or not linked[0].get("number"):
                figures.lost.append(f"handover act of {f.app_id} (rendered, never linked)")
    figures.duplicated += [
        f"number {n} on {len(docs)} documents" for n, docs in numbers.items() if len(docs) > 1
    ]


async def _emails(stack: Stack, people: list[Family], figures: Figures) -> None:
    """One "submitted" e-mail per accepted submission (waits up to a minute)."""
    submitted = [f.app_id for f in people if f.submitted and f.app_id]

    def told(app_id: str) -> list[str]:
        prefix = f"submitted:{app_id}:"
        return [k for k in stack.mailbox.delivered() if k.startswith(prefix)]

    for _ in range(120):
        if all(told(a) for a in submitted):
            break
        await asyncio.sleep(0.5)
    for app_id in submitted:
        keys = told(app_id)
        if not keys:
            figures.lost.append(f"the submitted e-mail of {app_id}")
        elif len(keys) > 1:
            figures.duplicated.append(f"submitted e-mails of {app_id}: {keys}")
    deliveries = stack.mailbox.delivered()
    figures.emails = sum(deliveries.values())
    figures.emails_resent = sum(n - 1 for n in deliveries.values())


async def prove(stack: Stack, load: Load, people: list[Family], figures: Figures) -> None:
    """Wait for the system to settle, then check every promise from APIs and topics."""
    print("proving: verdicts…", flush=True)
    await _verdicts(stack, load, people, figures)
    print("proving: documents…", flush=True)
    await _documents(stack, load, people, figures)
    print("proving: e-mails…", flush=True)
    await _emails(stack, people, figures)
    figures.dead_letters = len(await read_topic(stack.backends.kafka_bootstrap, topics.DEAD_LETTER))


async def run(
    families_n: int = 60,
    rounds: int = 2,
    interval: float = 4.0,
    concurrency: int = 8,
    patience: float = 120.0,
    victims: tuple[str, ...] = VICTIMS,
) -> Figures:
    work = Path(tempfile.mkdtemp(prefix="edu-chaos-"))
    keys = GatewayKeys(work).ensure()
    figures = Figures()
    stack = start_stack(work)
    supervisor = asyncio.create_task(supervise(stack))
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            await ready(stack, http, SERVICES, timeout=120)
            print(f"stack ready; logs in {work}/logs", flush=True)
            mongo: AsyncMongoClient[Any] = AsyncMongoClient(stack.backends.mongo_url, tz_aware=True)
            school = f"CHAOS-{uuid.uuid4().hex[:6].upper()}"
            pairs = families(families_n)
            await seed_registry(mongo[stack.env["EDU_REGISTRY_READER_MONGO_DB"]], pairs, school)
            await mongo.close()
            client = Client(http, figures, patience)
            load = Load(stack, client, keys, school)
            docs = await client.call(
                "GET",
                f"{stack.url('documents')}/api/v1/documents/receipt-documents",
                {"Authorization": f"Bearer {keys.mint(pairs[0][0])}"},
            )
            load.acknowledged = [
                {"code": d["code"], "version": d["version"]} for d in docs.json()["items"]
            ]
            people = [
                Family(p, c, {"Authorization": f"Bearer {keys.mint(p, ttl=dt.timedelta(hours=2))}"})
                for p, c in pairs
            ]
            kills = asyncio.create_task(killer(stack, http, figures, rounds, interval, victims))
            gate = asyncio.Semaphore(concurrency)

            async def one(i: int, f: Family) -> None:
                async with gate:
                    try:
                        await load.family(f, receipt=i % 2 == 0, printout=i % 3 == 0)
                    except (Unavailable, AssertionError) as exc:
                        figures.errors.append(f"{f.parent[:6]}…: {exc}")

            started = time.monotonic()
            await asyncio.gather(*(one(i, f) for i, f in enumerate(people)))
            print(f"load done in {time.monotonic() - started:.1f} s", flush=True)
            await kills  # every victim is killed, even if the load was quicker
            await ready(stack, http, SERVICES, timeout=120)
            await prove(stack, load, people, figures)
    finally:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervisor
        stop_stack(stack)
    return figures


def main(families_n: int, rounds: int, interval: float, concurrency: int) -> int:
    figures = asyncio.run(run(families_n, rounds, interval, concurrency))
    print(figures.report())
    return 0 if figures.ok else 1
