"""Trace continuity on the local stack: the real embedded Kafka and MongoDB and
the four services as separate processes (as ``edu up`` runs them, on free
ports in a temporary data dir). One portal request that causes Kafka hops must
yield a single trace, in the services' span file, with spans from every
service that did work for it; ``edu traces`` must render that trace."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from edu_contracts.registry_api import (
    FounderType,
    InstitutionSummary,
    LearnerInstitution,
    LearnerInstitutions,
    ProgrammeType,
)
from edu_registry_reader.demo import old_code
from edu_tools.backends import Backends, ChildProcess, free_port, spawn
from edu_tools.cli import app as edu_cli
from edu_tools.gateway import GatewayKeys
from edu_tools.stack import SERVICES, service_env
from edu_tools.testing import bearer
from edu_tools.traces import CORRELATION_ATTRIBUTES, group_traces, read_spans
from typer.testing import CliRunner

pytestmark = pytest.mark.slow

CITIZEN = old_code(dt.date(1984, 3, 7), 517)


@dataclass
class LocalStack:
    data_dir: Path
    traces_file: Path
    urls: dict[str, str]
    gateway: GatewayKeys
    children: dict[str, ChildProcess]

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.data_dir / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_ready(stack: LocalStack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = dict(stack.urls)
    while pending:
        for name, url in list(pending.items()):
            child = stack.children[name]
            if child.proc.poll() is not None:
                pytest.fail(f"{name} exited with {child.proc.returncode}:\n{stack.log_tail(name)}")
            try:
                if httpx.get(f"{url}/health/ready", timeout=1.0).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {n}\n{stack.log_tail(n)}" for n in pending)
            pytest.fail(f"not ready after {timeout:.0f}s: {', '.join(pending)}\n{tails}")
        time.sleep(0.2)


class RegistryLookupsStandIn:
    """Answers the one registry-reader lookup the portal request needs (the
    adult learner's institutions) while registry-reader has no lookups and no
    demo data yet. It records the W3C ``traceparent`` of every call, so the test
    still proves the trace crosses this HTTP hop. Drop it (point
    EDU_REGISTRY_URL at registry-reader and seed it) once registry-reader
    serves ``/api/v1/lookups``."""

    def __init__(self) -> None:
        self.traceparents: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = self.path.strip("/").split("/")
                if parts[:4] == ["api", "v1", "lookups", "learners"] and len(parts) == 6:
                    stand_in.traceparents.append(self.headers.get("traceparent", ""))
                    body = _learner_institutions(parts[4]).encode()
                    self.send_response(200)
                else:
                    body, _ = b'{"reason":"not_found","detail":"stand-in"}', None
                    self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RegistryLookupsStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _learner_institutions(code: str) -> str:
    school = InstitutionSummary(
        institution_id="3013900001",
        name="Rīgas Valsts 1. ģimnāzija",
        founder_type=FounderType.MUNICIPAL,
        programme_types=(ProgrammeType.GENERAL_SECONDARY,),
        accepting_applications=True,
        eligible_for_applications=True,
    )
    return LearnerInstitutions(
        learner_code=code, items=(LearnerInstitution(institution=school),)
    ).model_dump_json()


@pytest.fixture(scope="module")
def registry_stand_in() -> Iterator[RegistryLookupsStandIn]:
    with RegistryLookupsStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def local_stack(
    tmp_path_factory: pytest.TempPathFactory, registry_stand_in: RegistryLookupsStandIn
) -> Iterator[LocalStack]:
    data_dir = tmp_path_factory.mktemp("stack")
    gateway = GatewayKeys(data_dir).ensure()
    backends = Backends(data_dir, kafka_port=free_port(), mongo_port=free_port())
    backends.start()
    ports = {spec.name: free_port() for spec in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    traces_file = data_dir / "traces.jsonl"
    env = service_env(data_dir, backends)
    env.update(
        {
            "EDU_TRACES_FILE": str(traces_file),
            # Today: the stand-in (see RegistryLookupsStandIn); later urls["registry-reader"].
            "EDU_REGISTRY_URL": registry_stand_in.url,
            "EDU_DOCUMENTS_URL": urls["documents"],
            "EDU_OUTBOX_POLL_SECONDS": "0.1",
            # Export finished spans quickly instead of every 5 s.
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
    )
    for spec in SERVICES:
        env[f"{spec.env_prefix}HTTP_PORT"] = str(ports[spec.name])
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)  # nothing listens for OTLP here
    children: dict[str, ChildProcess] = {}
    stack = LocalStack(data_dir, traces_file, urls, gateway, children)
    try:
        for spec in SERVICES:
            children[spec.name] = spawn(
                spec.name,
                [sys.executable, "-m", spec.module],
                log_path=data_dir / "logs" / f"{spec.name}.log",
                env=env,
            )
        _wait_ready(stack, timeout=60)
        yield stack
    finally:
        for child in reversed(list(children.values())):
            child.stop()
        backends.stop()


def portal_request(stack: LocalStack, correlation_id: str) -> None:
    """THE portal request of this test; swap it when the flow changes. It must
    cause at least one Kafka hop. Today: accept the resource-application terms,
    then start an application as an adult learner → applications emits
    ``application.status-changed.v1`` → retention consumes it."""
    token = stack.gateway.mint(CITIZEN)
    headers = {**bearer(token), "X-Correlation-Id": correlation_id}
    with httpx.Client(base_url=stack.urls["applications"], timeout=15.0) as client:
        r = client.post("/api/v1/terms/resource-applications/acceptance", json={}, headers=headers)
        assert r.status_code == 201, r.text
        r = client.post("/api/v1/applications", json={"role": "adult_learner"}, headers=headers)
        assert r.status_code == 201, r.text


# The HTTP span that starts the trace, and the services that must appear in it.
ENTRY_SERVICE, ENTRY_SPAN = "applications", "POST /api/v1/applications"
EXPECTED_SERVICES = {"applications", "retention"}


def _correlated(span_attributes: dict[str, Any], correlation_id: str) -> bool:
    return any(span_attributes.get(a) == correlation_id for a in CORRELATION_ATTRIBUTES)


def test_one_portal_request_yields_one_trace_across_services(
    local_stack: LocalStack, registry_stand_in: RegistryLookupsStandIn
) -> None:
    correlation_id = f"trace-test-{uuid.uuid4().hex[:12]}"
    portal_request(local_stack, correlation_id)

    def entry_trace_id() -> str | None:
        if not local_stack.traces_file.exists():
            return None
        for span in read_spans(local_stack.traces_file):
            if (span.service, span.kind, span.name) == (ENTRY_SERVICE, "SERVER", ENTRY_SPAN):
                return span.trace_id
        return None

    deadline = time.monotonic() + 30
    trace_id = entry_trace_id()
    while time.monotonic() < deadline:
        trace_id = entry_trace_id()
        spans = read_spans(local_stack.traces_file) if trace_id else []
        in_trace = {(s.service, s.kind) for s in spans if s.trace_id == trace_id}
        if ("retention", "CONSUMER") in in_trace and ("applications", "PRODUCER") in in_trace:
            break
        time.sleep(0.2)
    assert trace_id, f"no {ENTRY_SPAN} span in the traces file"
    # Let the consumers' database spans land too.
    time.sleep(0.5)

    spans = read_spans(local_stack.traces_file)
    trace = next(t for t in group_traces(spans) if t.trace_id == trace_id)
    services = set(trace.services)
    assert services >= EXPECTED_SERVICES, f"trace {trace_id} only has {services}"
    kinds = {(s.service, s.kind) for s in trace.spans}
    assert {
        ("applications", "SERVER"),
        ("applications", "PRODUCER"),
        ("retention", "CONSUMER"),
    } <= kinds

    # Single trace: every span, in any service, that handled a message of this
    # request (its correlation id travels with every event) is in this trace.
    correlated = [s for s in spans if _correlated(s.attributes, correlation_id)]
    assert {s.service for s in correlated} >= EXPECTED_SERVICES
    assert {s.trace_id for s in correlated} == {trace_id}
    # And the tree is connected: only the entry span has no parent in the trace.
    roots, _ = trace.children()
    assert [(r.service, r.name) for r in roots] == [(ENTRY_SERVICE, ENTRY_SPAN)]
    # The synchronous registry lookup carried the same trace.
    assert registry_stand_in.traceparents, "the request made no registry lookup"
    assert all(tp.split("-")[1] == trace_id for tp in registry_stand_in.traceparents)
    # No personal code in clear in any span.
    assert CITIZEN not in local_stack.traces_file.read_text()

    result = CliRunner().invoke(
        edu_cli, ["traces", "--trace", trace_id[:12], "--file", str(local_stack.traces_file)]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"trace {trace_id}")
    assert f"correlation id: {correlation_id}" in out
    assert f"└─ {ENTRY_SPAN}  [applications · server]" in out
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
