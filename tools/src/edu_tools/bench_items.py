"""Benchmark (not a test): finding an item in the school's register (#22),
by the API and on the ready-for-issue page through the gateway.

``edu bench items``:
1. its own embedded Kafka and MongoDB (data in ``--data-dir``);
2. ``--n`` items (default 20,000) over 50 institutions written straight into
   the applications database as the item store keeps them (with the indexes
   the service creates; types, target groups and states varied, most
   available), and a handful of granted applications of one institution
   (laptops for everyone, no item yet);
3. applications and the portal as separate processes, nginx in front of them
   rendered from the gateway's routes table (as ``edu up`` runs it);
4. one request at a time after a warm-up: first
   ``GET /api/v1/staff/item-register/items?q=<inventory-number prefix>&state=available
   &resource_type=laptop&target_group=everyone&limit=10`` straight at
   applications with a staff JWT, then
   ``GET /skola/iesniegumi/{app_id}/izsniegsana?numurs=<number>`` (ready for
   issue with the item found by its number) through nginx + portal with a
   staff session (a fresh one per request, so each page also pays for
   minting its JWT).

Prints p50/p95/p99 of both, as errors (by why) every answer that was not a
200 and every page that does not show the item asked for by its number, and
the CPU milliseconds per request of each process, against the budget: the
page p95 <= 150 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import uuid
from pathlib import Path
from typing import Any

from edu_applications.adapters.items_store import ItemStore, _doc
from edu_applications.adapters.store import to_doc
from edu_applications.domain.items import Item, ItemDetails
from edu_contracts.applications import ApplicationStatus
from edu_contracts.items import ItemCondition, ItemMove, ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_portal.web.session import SESSION_COOKIE
from edu_portal.web.session import Person as SessionPerson
from pymongo import AsyncMongoClient

from edu_tools.backends import Backends, free_port
from edu_tools.bench_http import (
    Timed,
    cpu_per_request,
    cpu_snapshot,
    measure_statuses,
    nginx_pids,
    report,
    staff_sessions,
)
from edu_tools.bench_inbox import stored_application
from edu_tools.bench_record import LOWER, BenchResult, Figure
from edu_tools.gateway import GatewayKeys
from edu_tools.personal_codes import UniqueCodes
from edu_tools.registry.bench import _quantile
from edu_tools.stack import free_ports, local_url, start_stack

BUDGET_P95_MS = 150.0
APPS_DB = "edu_applications_bench_items"
PORTAL_DB = "edu_portal_bench_items"
INSTITUTIONS = 50
MEASURED = 7  # the institution whose staff search, and whose applications are granted
GRANTED = 5
READY_SECONDS = 60.0
AT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
MODELS = {
    LendingResourceType.LAPTOP: ["Lenovo 300e", "HP ProBook 440", "Dell Latitude 3540"],
    LendingResourceType.TABLET: ["iPad 9", "Samsung Galaxy Tab A9"],
}
# (state, the moves from available that lead there), by share of the register
STATES: list[tuple[ItemState, tuple[ItemMove, ...]]] = [
    *[(ItemState.AVAILABLE, ())] * 12,
    *[(ItemState.ISSUED, (ItemMove.RESERVE, ItemMove.ISSUE))] * 4,
    (ItemState.RESERVED, (ItemMove.RESERVE,)),
    (ItemState.IN_REPAIR, (ItemMove.RESERVE, ItemMove.ISSUE, ItemMove.RETURN_DAMAGED)),
    (ItemState.WRITTEN_OFF, (ItemMove.WRITE_OFF,)),
]
LENT = {ItemMove.RESERVE}


def institution(i: int) -> str:
    return f"BENCH-ITEMS-{i:02d}"


def inventory_number(i: int, n: int) -> str:
    return f"B{i:02d}-{n:05d}"


def _item(rng: random.Random, i: int, n: int) -> Item:
    kind = LendingResourceType.LAPTOP if n % 3 else LendingResourceType.TABLET
    group = ResourceTargetGroup.EVERYONE if n % 5 else ResourceTargetGroup.SOCIALLY_SUPPORTED
    details = ItemDetails(
        resource_type=kind,
        model=rng.choice(MODELS[kind]),
        inventory_number=inventory_number(i, n),
        serial_number=f"SN{i:02d}{n:05d}{rng.randrange(10**6):06d}",
        target_group=group,
        funding_note="ESF 2026",
        condition=ItemCondition.NEW,
    )
    item = Item.register(
        uuid.uuid4(), institution(i), details, at=AT, by="Anna Ozola", why="Imported"
    )
    _state, moves = rng.choice(STATES)
    at = AT
    for move in moves:
        at += dt.timedelta(days=1)
        app = uuid.uuid4() if move in LENT else None
        item = item.move(move, at=at, by="Anna Ozola", application_id=app)
    return item


async def _seed(mongo_url: str, n: int) -> tuple[bool, list[str], list[str]]:
    """The register and the granted applications (once); the granted
    applications' ids and the inventory numbers of the measured
    institution's available laptops for everyone."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        db = client[APPS_DB]
        items, apps = db["items"], db["applications"]
        written = False
        if await items.count_documents({}) < n:
            await items.delete_many({})
            await apps.delete_many({})
            await ItemStore(db).ensure_indexes()  # as the service keeps them
            rng = random.Random(22)  # noqa: S311 - not security
            per = n // INSTITUTIONS
            docs = [_doc(_item(rng, i, k)) for i in range(INSTITUTIONS) for k in range(per)]
            for start in range(0, len(docs), 1000):
                await items.insert_many(docs[start : start + 1000])
            codes = UniqueCodes(start=700)
            now = dt.datetime.now(dt.UTC)
            granted = [
                to_doc(
                    stored_application(
                        rng,
                        codes,
                        k,
                        now,
                        institution_id=institution(MEASURED),
                        status=ApplicationStatus.GRANTED,
                        kind="laptop",
                    )
                )
                for k in range(GRANTED)
            ]
            await apps.insert_many(granted)
            written = True
        app_ids = [
            str(d["_id"])
            async for d in apps.find(
                {"inbox_institution": institution(MEASURED), "status": "granted"}, {"_id": 1}
            )
        ]
        numbers = [
            str(d["inventory_number"])
            async for d in items.find(
                {
                    "institution_id": institution(MEASURED),
                    "resource_type": "laptop",
                    "state": "available",
                    "target_group": "everyone",
                },
                {"inventory_number": 1},
            )
        ]
        return written, app_ids, numbers
    finally:
        await client.close()


def _shows_the_item(path: str, body: bytes) -> str | None:
    """The page must show the item it was asked for by its number (a form
    that ignores ``numurs`` is not the page measured)."""
    number = path.rsplit("numurs=", 1)[-1]
    return None if number.encode() in body else "200 without the item asked for"


def _print_timed(label: str, timed: Timed, cpu: str) -> float:
    p95 = report(label, timed.latencies, timed.errors)
    if timed.failures:
        why = ", ".join(f"{s}: {k}" for s, k in sorted(timed.failures.items()))
        print(f"     ERRORS, not counted as served: {why}")
    print(f"     CPU ms per request: {cpu}")
    return p95


def run(*, n: int, requests: int, data_dir: Path) -> BenchResult:
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = GatewayKeys(data_dir).ensure()
    staff = SessionPerson(
        personal_code=UniqueCodes(start=900).old(dt.date(1985, 5, 5)),
        given_name="Ūna",
        family_name="Šķēle",
        auth_method="bank",
    )
    seeded: dict[str, Any] = {}

    def seed(backends: Backends) -> None:
        written, app_ids, numbers = asyncio.run(_seed(backends.mongo_url, n))
        seeded.update(app_ids=app_ids, numbers=numbers)
        print(
            f"{n} items over {INSTITUTIONS} institutions, {len(app_ids)} granted applications "
            f"({'written' if written else 'already there'}); {institution(MEASURED)} has "
            f"{len(numbers)} available laptops for everyone"
        )

    ports = free_ports("applications", "portal")
    gateway_port = free_port()
    apps_port = ports["applications"]
    env: dict[str, str | None] = {
        "EDU_LOG_LEVEL": "WARNING",
        "EDU_APPLICATIONS_MONGO_DB": APPS_DB,
        "EDU_PORTAL_MONGO_DB": PORTAL_DB,
        "EDU_PORTAL_SIGN_IN": "stand-in",
        "EDU_PORTAL_APPLICATIONS_URL": local_url(apps_port),
    }
    # registry-reader and documents are not measured: the gateway's routes to
    # them point at free ports nothing listens on.
    stack = start_stack(
        data_dir,
        ports,
        env=env,
        before_services=seed,
        ready_timeout=READY_SECONDS,
        gateway_port=gateway_port,
    )
    backends, procs = stack.backends, stack.children
    page_p95 = float("inf")
    measured: dict[str, Timed] = {}
    try:
        mongo_pid = next(c.proc.pid for c in backends.children if c.name == "mongodb")
        groups = {
            "applications": [procs["applications"].proc.pid],
            "portal": [procs["portal"].proc.pid],
            "nginx": nginx_pids(procs["gateway"].proc.pid),
            "MongoDB (nx-27017)": [mongo_pid],
        }
        warm_up = 20
        total = requests + warm_up
        inst = institution(MEASURED)
        token = keys.mint(
            staff.personal_code, role="staff", institution_id=inst, ttl=dt.timedelta(hours=1)
        )
        # "B07-001" and the like: the start of a hundred numbers, of which the
        # available laptops for everyone are a third
        prefixes = [inventory_number(MEASURED, k)[:7] for k in range(0, n // INSTITUTIONS, 100)]
        api = [
            (
                f"/api/v1/staff/item-register/items?q={prefixes[i % len(prefixes)]}"
                "&state=available&resource_type=laptop&target_group=everyone&limit=10",
                {"Authorization": f"Bearer {token}"},
            )
            for i in range(total)
        ]
        cookies = asyncio.run(
            staff_sessions(
                backends.mongo_url,
                PORTAL_DB,
                total,
                staff,
                institution_id=inst,
                institution_name="Benchmarka vidusskola",
            )
        )
        app_ids, numbers = seeded["app_ids"], seeded["numbers"]
        page = [
            (
                f"/skola/iesniegumi/{app_ids[i % len(app_ids)]}/izsniegsana"
                f"?numurs={numbers[i % len(numbers)]}",
                {"Cookie": f"{SESSION_COOKIE}={cookie}"},
            )
            for i, cookie in enumerate(cookies)
        ]
        api_label = (
            "API  GET /api/v1/staff/item-register/items?q=<prefix>&state=available&"
            "resource_type=laptop&target_group=everyone&limit=10 (applications direct)"
        )
        before = cpu_snapshot(groups)
        timed = asyncio.run(measure_statuses(api, f"http://127.0.0.1:{apps_port}", warm_up))
        measured["API"] = timed
        cpu = cpu_per_request(groups, before, total)
        _print_timed(api_label, timed, cpu)
        before = cpu_snapshot(groups)
        timed = asyncio.run(
            measure_statuses(page, f"http://127.0.0.1:{gateway_port}", warm_up, _shows_the_item)
        )
        measured["page"] = timed
        cpu = cpu_per_request(groups, before, total)
        page_p95 = _print_timed(
            "page GET /skola/iesniegumi/{id}/izsniegsana?numurs=<number> (through nginx + portal)",
            timed,
            cpu,
        )
    finally:
        stack.stop()
    verdict = "PASS" if page_p95 <= BUDGET_P95_MS else "FAIL"
    print(
        f"budget: the page p95 <= {BUDGET_P95_MS:.0f} ms with {n} items in the register "
        f"-> {verdict}{' (the page answered with errors)' if page_p95 == float('inf') else ''}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    figures = [
        Figure(
            name=f"items: {key} p{q * 100:.0f}",
            value=_quantile(timed.latencies, q),
            unit="ms",
            direction=LOWER,
            budget=BUDGET_P95_MS if key == "page" and q == 0.95 else None,
        )
        for key, timed in measured.items()
        if timed.latencies
        for q in (0.5, 0.95)
    ]
    figures.append(
        Figure(
            name="items: errors",
            value=sum(t.errors for t in measured.values()),
            unit="requests",
            direction=LOWER,
            budget=0,
        )
    )
    return BenchResult(bench="items", exit_code=0 if verdict == "PASS" else 1, figures=figures)
