"""Metrics end to end: after the whole flows (My data printout; an application
submitted, verified, handed over, returned and purged when due; one poisoned
command dead-lettered), the real Prometheus binary (Debian's, as ``edu up``
runs it) scraping the four services with deploy/'s configuration and rules has
a value for every series the dashboards and alert rules name, and for every
instrument the services declare; the dead letter fires EduDeadLetter."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from edu_contracts import topics
from edu_retention.domain.rules import application_purge_date, start_of_riga_day
from edu_tools import prometheus as local_prometheus
from edu_tools.backends import ChildProcess, free_port, spawn
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import RunningService, bearer, eventually

from tests.conftest import Stack
from tests.flows import make_actors, ok, purge_completed, purge_planned
from tests.mail import notifications_delivering
from tests.observability import metric_names, queries
from tests.test_retention_purge import returned_application

pytestmark = pytest.mark.slow

PERSONAL_CODE = re.compile(r"\b\d{6}-?\d{5}\b")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _services(stack: Stack, notifications: RunningService) -> dict[str, Any]:
    return {
        "registry-reader": stack.registry,
        "applications": stack.applications,
        "documents": stack.documents,
        "retention": stack.retention,
        "notifications": notifications,
    }


@pytest.fixture
async def notifications(
    stack: Stack, make_settings: Callable[..., Any]
) -> AsyncIterator[RunningService]:
    """Notifications delivering to a real SMTP server, so its series have values:
    the server refuses the first message for good and the second for now."""
    refusals = ["550 5.1.1 mailbox unavailable", "451 4.3.0 try again later"]
    async with notifications_delivering(make_settings, refusals=refusals) as (_, service):
        yield service


@pytest.fixture
async def prometheus(
    stack: Stack, notifications: RunningService, tmp_path: Path
) -> AsyncIterator[str]:
    """The real Prometheus scraping the stack's services every second."""
    program = local_prometheus.binary()
    if program is None:
        pytest.fail("prometheus is missing: scripts/bootstrap.sh installs it")
    services = _services(stack, notifications)
    config = local_prometheus.local_config(
        {name: s.base_url.removeprefix("http://") for name, s in services.items()},
        scrape_interval="1s",
    )
    # Only the services this stack runs (the portal is not part of it).
    config["scrape_configs"] = [j for j in config["scrape_configs"] if j["job_name"] in services]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    child: ChildProcess = spawn(
        "prometheus",
        [
            program,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        log_path=tmp_path / "prometheus.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5.0) as client:

            async def ready() -> bool:
                try:
                    return (await client.get("/-/ready")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(ready, timeout=30, interval=0.1)
        yield url
    finally:
        child.stop()
        if child.proc.returncode not in (0, -15, None):
            print((tmp_path / "prometheus.log").read_text())


async def _query(url: str, promql: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as client:
        r = await client.get("/api/v1/query", params={"query": promql})
    assert r.status_code == 200, r.text
    result: list[dict[str, Any]] = r.json()["data"]["result"]
    return result


async def _whole_flows(stack: Stack, gateway: GatewayKeys) -> None:
    actors = await make_actors(stack, gateway)
    world = actors.world
    # A. My data, saved as PDF (registry-reader → documents → retention).
    r = stack.registry.client
    await ok(await r.post("/api/v1/terms/my-data/acceptance", json={}, headers=actors.parent), 201)
    printout = await ok(
        await r.post(
            "/api/v1/my-data/pdf", json={"person_code": world.child.code}, headers=actors.parent
        ),
        202,
    )
    # A refusal too (4xx are counted, not as errors).
    assert (await r.get("/api/v1/my-data", headers=bearer("not-a-token"))).status_code == 401

    # B. An application's whole life, then its purge when due.
    app = await returned_application(stack, actors)
    # Planned by retention (asked through its operator interface), then due.
    closed_on = dt.date.fromisoformat(app["return_record"]["returned_on"])
    due_at = start_of_riga_day(application_purge_date(closed_on))
    await purge_planned(stack, app["id"], due_at)
    sweeper = stack.retention.app.state["sweeper"]
    try:
        stack.clock.set(due_at + dt.timedelta(hours=1))
        await sweeper.sweep_once()

        async def deleted() -> bool:
            c = stack.applications.client
            r = await c.get(f"/api/v1/applications/{app['id']}", headers=actors.parent)
            return r.status_code == 404

        await eventually(deleted, timeout=30)  # ordered, and applications deleted it
        await purge_completed(stack, app["id"])
    finally:
        stack.clock.set(dt.datetime.now(dt.UTC))

    # The printout rendered meanwhile.
    d = stack.documents.client
    document_id = printout["document_id"]

    async def rendered() -> bool:
        return (await d.get(f"/api/v1/documents/{document_id}", headers=actors.parent)).is_success

    await eventually(rendered, timeout=30)

    # A poisoned command: documents cannot parse it and dead-letters it at once.
    await stack.documents.app.state["runtime"].broker.publish(
        b'{"not": "a render command"}', topics.DOCUMENT_COMMANDS, key=b"poison"
    )


async def test_every_named_series_has_values_in_prometheus(
    stack: Stack, gateway: GatewayKeys, notifications: RunningService, prometheus: str
) -> None:
    started = time.monotonic()
    await _whole_flows(stack, gateway)

    declared = {
        series
        for s in _services(stack, notifications).values()
        for names in s.app.state["runtime"].metrics.exported_names().values()
        for series in names
    }
    named = set().union(*(metric_names(expr) for expr in queries().values()))
    wanted = declared | named
    assert len(wanted) >= 25

    async def all_present() -> set[str] | None:
        rows = await _query(
            prometheus,
            'group by (__name__) ({__name__=~"http_.+|messaging_.+|edu_.+|job:.+"})',
        )
        present = {row["metric"]["__name__"] for row in rows}
        return present if wanted <= present else None

    try:
        await eventually(all_present, timeout=60, interval=0.5)
    except AssertionError:
        rows = await _query(prometheus, '{__name__=~"http_.+|messaging_.+|edu_.+|job:.+"}')
        present = {row["metric"]["__name__"] for row in rows}
        pytest.fail(f"no values in Prometheus for {sorted(wanted - present)}")

    # Values where they belong, labelled without personal data.
    dead = await _query(prometheus, 'edu_dead_letters_total{job="documents"}')
    assert dead
    assert {row["metric"]["error_type"] for row in dead} == {"ValidationError"}
    routes = await _query(prometheus, "http_server_request_duration_seconds_count")
    assert {"registry-reader", "applications", "documents"} <= {r["metric"]["job"] for r in routes}
    assert any(r["metric"]["http_route"] == "/api/v1/applications/{app_id}" for r in routes)
    # No label value anywhere is a personal code or an id.
    every = await _query(prometheus, '{__name__=~"http_.+|messaging_.+|edu_.+"}')
    for row in every:
        for value in row["metric"].values():
            assert not PERSONAL_CODE.search(value), row["metric"]
            assert not UUID.search(value), row["metric"]
    kinds = await _query(prometheus, "edu_documents_render_duration_seconds_count")
    assert {"handover_act", "return_act", "my_data_printout"} <= {
        r["metric"]["edu_document_kind"] for r in kinds
    }
    lag = await _query(prometheus, "edu_kafka_consumer_lag")
    assert {"messaging_consumer_group_name", "messaging_destination_partition_id"} <= set(
        lag[0]["metric"]
    )

    # The alert rules run too: the dead letter fires EduDeadLetter.
    async def firing() -> list[dict[str, Any]] | None:
        return await _query(prometheus, 'ALERTS{alertname="EduDeadLetter",alertstate="firing"}')

    await eventually(firing, timeout=30, interval=0.5)
    assert time.monotonic() - started < 120
