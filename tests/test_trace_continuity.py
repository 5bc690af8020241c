"""Trace continuity on the local stack: the real embedded Kafka and MongoDB and
the four services as separate processes (as ``edu up`` runs them, on free
ports in a temporary data dir). One portal request that causes Kafka hops must
yield a single trace, in the services' span file, with spans from every
service that did work for it; ``edu traces`` must render that trace."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from edu_registry_reader.adapters import loader
from edu_tools.cli import app as edu_cli
from edu_tools.gateway import GatewayKeys
from edu_tools.registry.samples import find_sample
from edu_tools.registry.seeding import seed_if_empty
from edu_tools.stack import SERVICES, free_ports, local_env, local_url, start_stack
from edu_tools.testing import bearer
from edu_tools.traces import CORRELATION_ATTRIBUTES, group_traces, read_spans
from typer.testing import CliRunner

pytestmark = pytest.mark.slow


@dataclass
class LocalStack:
    traces_file: Path
    urls: dict[str, str]
    gateway: GatewayKeys
    mongo_url: str


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir = tmp_path_factory.mktemp("stack")
    gateway = GatewayKeys(data_dir).ensure()
    ports = free_ports(*(spec.name for spec in SERVICES))
    traces_file = data_dir / "traces.jsonl"
    env: dict[str, str | None] = {
        **local_env(data_dir),
        "EDU_TRACES_FILE": str(traces_file),
        "EDU_REGISTRY_URL": local_url(ports["registry-reader"]),
        "EDU_DOCUMENTS_URL": local_url(ports["documents"]),
        "EDU_OUTBOX_POLL_SECONDS": "0.1",
        # Export finished spans quickly instead of every 5 s.
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_EXPORTER_OTLP_ENDPOINT": None,  # nothing listens for OTLP here
    }
    # Before the services: the small synthetic register `edu up` loads.
    stack = start_stack(data_dir, ports, env=env, before_services=seed_if_empty, ready_timeout=60)
    try:
        urls = {name: stack.url(name) for name in ports}
        yield LocalStack(traces_file, urls, gateway, stack.backends.mongo_url)
    finally:
        stack.stop()


def sample(stack: LocalStack, kind: str) -> dict[str, Any]:
    client, db = loader.connect(stack.mongo_url, "edu_registry_reader")
    try:
        found = find_sample(db, kind, dt.datetime.now(dt.UTC).date())
    finally:
        client.close()
    assert found, f"no {kind} in the seeded register"
    return dict(found)


def portal_request(stack: LocalStack, correlation_id: str) -> list[str]:
    """THE portal request of this test; swap it when the flow changes. It must
    cause Kafka hops. A parent saves the "My data" of their child as PDF:
    registry-reader emits the render command → documents renders and announces
    it → retention schedules the printout's deletion. Returns the personal codes
    involved (which must not appear in any span)."""
    parent = sample(stack, "parent-with-minor")
    child = parent["represented"][0]["personal_code"]
    token = stack.gateway.mint(parent["personal_code"])
    headers = {**bearer(token), "X-Correlation-Id": correlation_id}
    with httpx.Client(base_url=stack.urls["registry-reader"], timeout=15.0) as client:
        r = client.post("/api/v1/terms/my-data/acceptance", json={}, headers=headers)
        assert r.status_code in (200, 201), r.text
        r = client.post("/api/v1/my-data/pdf", json={"person_code": child}, headers=headers)
        assert r.status_code == 202, r.text
    return [parent["personal_code"], child]


# The HTTP span that starts the trace, and the services that must appear in it.
ENTRY_SERVICE, ENTRY_SPAN = "registry-reader", "POST /api/v1/my-data/pdf"
EXPECTED_SERVICES = {"registry-reader", "documents", "retention"}
EXPECTED_KINDS = {
    ("registry-reader", "SERVER"),
    ("registry-reader", "PRODUCER"),
    ("documents", "CONSUMER"),
    ("documents", "PRODUCER"),
    ("retention", "CONSUMER"),
}


def _correlated(span_attributes: dict[str, Any], correlation_id: str) -> bool:
    return any(span_attributes.get(a) == correlation_id for a in CORRELATION_ATTRIBUTES)


def test_one_portal_request_yields_one_trace_across_services(local_stack: LocalStack) -> None:
    correlation_id = f"trace-test-{uuid.uuid4().hex[:12]}"
    codes = portal_request(local_stack, correlation_id)

    def entry_trace_id() -> str | None:
        if not local_stack.traces_file.exists():
            return None
        for span in read_spans(local_stack.traces_file):
            if (span.service, span.kind, span.name) == (ENTRY_SERVICE, "SERVER", ENTRY_SPAN):
                return span.trace_id
        return None

    def complete(trace_id: str) -> bool:
        """Every hop of the request is in the file and the tree is connected.
        Each process writes its spans in the order they ended and a parent
        ends after its children, so then the spans of the request's work (the
        consumers' database spans too) are in the file for the checks below."""
        spans = read_spans(local_stack.traces_file)
        trace = next((t for t in group_traces(spans) if t.trace_id == trace_id), None)
        if trace is None:
            return False
        roots, _ = trace.children()
        correlated = {s.service for s in spans if _correlated(s.attributes, correlation_id)}
        return (
            set(trace.services) >= EXPECTED_SERVICES
            and {(s.service, s.kind) for s in trace.spans} >= EXPECTED_KINDS
            and correlated >= EXPECTED_SERVICES
            and [(r.service, r.name) for r in roots] == [(ENTRY_SERVICE, ENTRY_SPAN)]
        )

    # Waits for the spans to land (exported every 100 ms by each process), not
    # for a fixed time; on timeout the assertions below say what is missing.
    deadline = time.monotonic() + 30
    trace_id = entry_trace_id()
    while time.monotonic() < deadline:
        trace_id = entry_trace_id()
        if trace_id and complete(trace_id):
            break
        time.sleep(0.2)
    assert trace_id, f"no {ENTRY_SPAN} span in the traces file"

    spans = read_spans(local_stack.traces_file)
    trace = next(t for t in group_traces(spans) if t.trace_id == trace_id)
    services = set(trace.services)
    assert services >= EXPECTED_SERVICES, f"trace {trace_id} only has {services}"
    kinds = {(s.service, s.kind) for s in trace.spans}
    assert kinds >= EXPECTED_KINDS

    # Single trace: every span, in any service, that handled a message of this
    # request (its correlation id travels with every event) is in this trace.
    correlated = [s for s in spans if _correlated(s.attributes, correlation_id)]
    assert {s.service for s in correlated} >= EXPECTED_SERVICES
    assert {s.trace_id for s in correlated} == {trace_id}
    # And the tree is connected: only the entry span has no parent in the trace.
    roots, _ = trace.children()
    assert [(r.service, r.name) for r in roots] == [(ENTRY_SERVICE, ENTRY_SPAN)]
    # No personal code in clear in any span.
    text = local_stack.traces_file.read_text()
    for code in codes:
        assert code not in text

    result = CliRunner().invoke(
        edu_cli, ["traces", "--trace", trace_id[:12], "--file", str(local_stack.traces_file)]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"trace {trace_id}")
    assert f"correlation id: {correlation_id}" in out
    assert f"└─ {ENTRY_SPAN}  [registry-reader · server]" in out
    assert "[retention · consumer]" in out
    # The retention consumer is drawn below (indented under) the entry span.
    lines = out.splitlines()
    entry = next(i for i, line in enumerate(lines) if ENTRY_SPAN in line)
    consumer = next(i for i, line in enumerate(lines) if "[retention · consumer]" in line)
    indent = len(lines[consumer]) - len(lines[consumer].lstrip(" │├└─"))
    assert consumer > entry
    assert indent > lines[entry].index("└─")

    by_correlation = CliRunner().invoke(
        edu_cli,
        ["traces", "--correlation", correlation_id, "--file", str(local_stack.traces_file)],
    )
    assert by_correlation.output.startswith(f"trace {trace_id}")
    print(out)  # with -s: the example in deploy/README.md comes from here
