"""Benchmark (not a test): the staff inbox page through the gateway.

``edu bench inbox``:
1. its own embedded Kafka and MongoDB (data in ``--data-dir``);
2. ``--n`` applications (default 5,000) of one institution written straight
   into the applications database as the service stores them (statuses,
   classes, resource types and names varied; most submitted);
3. applications and the portal as separate processes, nginx in front of them
   rendered from the gateway's routes table (as ``edu up`` runs it);
4. the same query twice, one request at a time after a warm-up: first
   ``GET /api/v1/staff/inbox/?status=submitted&limit=25&offset=1225`` straight
   at applications with a staff JWT, then ``GET /skola/?statuss=submitted&lapa=50``
   (page 50 of the filtered list) through nginx + portal with a staff session
   (a fresh one per request, so each page also pays for minting its JWT).

Prints p50/p95/p99 of both against the budget: the page p95 <= 150 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import uuid
from pathlib import Path
from typing import Any

from edu_applications.adapters.store import to_doc
from edu_applications.domain.model import (
    Application,
    InstitutionSnapshot,
    Person,
    ResourceSnapshot,
    Transition,
)
from edu_contracts.applications import ActorRole, ApplicantRole, ApplicationStatus
from edu_contracts.registry_api import ResourceTargetGroup
from edu_portal.web.session import SESSION_COOKIE
from edu_portal.web.session import Person as SessionPerson
from pymongo import AsyncMongoClient

from edu_tools.backends import Backends, free_port
from edu_tools.bench_http import measure, report, staff_sessions
from edu_tools.bench_record import LOWER, BenchResult, Figure
from edu_tools.gateway import GatewayKeys
from edu_tools.personal_codes import UniqueCodes
from edu_tools.registry.bench import _quantile
from edu_tools.stack import free_ports, local_url, start_stack

BUDGET_P95_MS = 150.0
APPS_DB = "edu_applications_bench_inbox"
PORTAL_DB = "edu_portal_bench_inbox"
INSTITUTION = "BENCH-INBOX-01"
PAGE = 50
PAGE_SIZE = 25  # the portal's inbox page size
READY_SECONDS = 60.0
GIVEN = ["Jānis", "Līga", "Ģirts", "Ūna", "Kārlis", "Elīna", "Mārtiņš", "Ieva", "Andris", "Zane"]
FAMILY = ["Bērziņš", "Kalniņa", "Ozoliņš", "Šmite", "Ķēniņš", "Liepa", "Zariņš", "Vītola"]
STATUSES = [ApplicationStatus.SUBMITTED] * 6 + [
    ApplicationStatus.GRANTED,
    ApplicationStatus.POSTPONED,
    ApplicationStatus.ISSUED,
    ApplicationStatus.REFUSED,
]


def stored_application(
    rng: random.Random,
    codes: UniqueCodes,
    i: int,
    now: dt.datetime,
    *,
    institution_id: str = INSTITUTION,
    status: ApplicationStatus | None = None,
    kind: str | None = None,
) -> Application:
    """One application as the service stores it; its status, resource type
    and names picked at random unless given."""
    created = now - dt.timedelta(minutes=i)
    status = status or rng.choice(STATUSES)
    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    child = codes.old(dt.date(2012 + i % 6, 1 + i % 12, 1 + i % 28))
    parent = codes.old(dt.date(1980 + i % 10, 1 + i % 12, 1 + i % 28))
    kind = kind or rng.choice(["laptop", "tablet"])
    history = [
        Transition(
            at=created,
            actor="Vecāks",
            actor_role=ActorRole.CITIZEN,
            from_status=None,
            to_status=ApplicationStatus.DRAFT,
        ),
        Transition(
            at=created + dt.timedelta(seconds=30),
            actor="Vecāks",
            actor_role=ActorRole.CITIZEN,
            from_status=ApplicationStatus.DRAFT,
            to_status=ApplicationStatus.BEING_VERIFIED,
        ),
        Transition(
            at=created + dt.timedelta(seconds=31),
            actor="VIIS",
            actor_role=ActorRole.SYSTEM,
            from_status=ApplicationStatus.BEING_VERIFIED,
            to_status=ApplicationStatus.SUBMITTED,
        ),
    ]
    if status is not ApplicationStatus.SUBMITTED:
        history.append(
            Transition(
                at=created + dt.timedelta(hours=1),
                actor="Skolotāja",
                actor_role=ActorRole.STAFF,
                from_status=ApplicationStatus.SUBMITTED,
                to_status=status,
            )
        )
    return Application(
        id=uuid.uuid4(),
        version=len(history),
        status=status,
        created_at=created,
        updated_at=history[-1].at,
        role=ApplicantRole.PARENT_OR_GUARDIAN,
        applicant=Person(personal_code=parent, full_name="Vecāks Bench"),
        learner=Person(personal_code=child, full_name=name),
        institution=InstitutionSnapshot(
            institution_id=institution_id,
            name="Benchmarka vidusskola",
            class_group=f"{1 + i % 12}.{'abc'[i % 3]}",
        ),
        socially_supported=i % 4 == 0,
        resource=ResourceSnapshot(
            offer_id=f"{institution_id}-{kind.upper()}",
            resource_type=kind,
            description="Klēpjdators" if kind == "laptop" else "Planšetdators",
            target_group=ResourceTargetGroup.EVERYONE,
        ),
        history=tuple(history),
    )


async def _seed(mongo_url: str, n: int) -> int:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        apps = client[APPS_DB]["applications"]
        if await apps.count_documents({"inbox_institution": INSTITUTION}) >= n:
            return 0
        await apps.delete_many({})
        rng = random.Random(12)  # noqa: S311 - not security
        codes = UniqueCodes()
        now = dt.datetime.now(dt.UTC)
        docs = [to_doc(stored_application(rng, codes, i, now)) for i in range(n)]
        for start in range(0, n, 500):
            await apps.insert_many(docs[start : start + 500])
        return n
    finally:
        await client.close()


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

    def seed(backends: Backends) -> None:
        seeded = asyncio.run(_seed(backends.mongo_url, n))
        print(f"{n} applications of one institution ({'written' if seeded else 'already there'})")

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
    backends = stack.backends
    try:
        warm_up = 20
        token = keys.mint(
            staff.personal_code,
            role="staff",
            institution_id=INSTITUTION,
            ttl=dt.timedelta(hours=1),
        )
        offset = (PAGE - 1) * PAGE_SIZE
        api_path = f"/api/v1/staff/inbox/?status=submitted&limit={PAGE_SIZE}&offset={offset}"
        api = [(api_path, {"Authorization": f"Bearer {token}"})] * (requests + warm_up)
        cookies = asyncio.run(
            staff_sessions(
                backends.mongo_url,
                PORTAL_DB,
                requests + warm_up,
                staff,
                institution_id=INSTITUTION,
                institution_name="Benchmarka vidusskola",
            )
        )
        page = [
            (f"/skola/?statuss=submitted&lapa={PAGE}", {"Cookie": f"{SESSION_COOKIE}={c}"})
            for c in cookies
        ]
        api_latencies, api_errors = asyncio.run(
            measure(api, f"http://127.0.0.1:{apps_port}", warm_up)
        )
        report(
            f"API  GET /api/v1/staff/inbox/ status=submitted, page {PAGE} (applications direct)",
            api_latencies,
            api_errors,
        )
        page_latencies, page_errors = asyncio.run(
            measure(page, f"http://127.0.0.1:{gateway_port}", warm_up)
        )
        page_p95 = report(
            f"page GET /skola/?statuss=submitted&lapa={PAGE} (through nginx + portal)",
            page_latencies,
            page_errors,
        )
    finally:
        stack.stop()
    verdict = "PASS" if page_p95 <= BUDGET_P95_MS else "FAIL"
    figures = [
        Figure(
            name=f"inbox: {key} p{q * 100:.0f}",
            value=_quantile(values, q),
            unit="ms",
            direction=LOWER,
            budget=BUDGET_P95_MS if key == "page" and q == 0.95 else None,
        )
        for key, values in (("API", api_latencies), ("page", page_latencies))
        for q in (0.5, 0.95)
    ]
    figures.append(
        Figure(
            name="inbox: errors",
            value=api_errors + page_errors,
            unit="requests",
            direction=LOWER,
            budget=0,
        )
    )
    print(
        f"budget: the page p95 <= {BUDGET_P95_MS:.0f} ms with {n} applications, filtered, "
        f"page {PAGE} -> {verdict}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    return BenchResult(bench="inbox", exit_code=0 if verdict == "PASS" else 1, figures=figures)
