"""Metrics, alerts and dashboards in deploy/ checked against the code:
``promtool check config`` (deploy/'s and the local one ``edu up`` writes),
``promtool check rules``, ``promtool test rules`` (a unit test for each alert);
every alert has a RUNBOOK.md entry under its name; the Grafana dashboards parse
and every metric their queries (and the rules) use is one the services export;
every instrument the services declare is on a dashboard or in a rule; latency
panels link to Jaeger."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from edu_tools import prometheus as local_prometheus
from edu_tools.stack import SERVICES

from tests.deploy.conftest import DEPLOY, REPO, ServiceInCode
from tests.observability import (
    GRAFANA,
    PROMETHEUS,
    RULE_FILES,
    alerts,
    dashboards,
    metric_names,
    panels,
    queries,
    recorded,
)


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    program = shutil.which("promtool")
    if program is None:
        pytest.fail("promtool is missing: scripts/bootstrap.sh installs Debian's prometheus")
    return subprocess.run(
        [program, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_configuration_and_rules(tmp_path: Path) -> None:
    _ok(promtool("check", "config", PROMETHEUS / "prometheus.yml"))
    local = local_prometheus.write_local_config(tmp_path / "prometheus.yml")
    _ok(promtool("check", "config", local))
    assert RULE_FILES
    _ok(promtool("check", "rules", *RULE_FILES))


def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    tests = sorted((PROMETHEUS / "tests").glob("*.yml"))
    assert tests
    result = promtool("test", "rules", *tests)
    _ok(result)
    # Each alert is exercised by at least one unit test.
    tested = {
        case["alertname"]
        for path in tests
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    }
    assert set(alerts()) <= tested, set(alerts()) - tested


def test_every_alert_has_a_runbook_entry_under_its_name() -> None:
    runbook = (DEPLOY / "RUNBOOK.md").read_text()
    headings = set(re.findall(r"^#{2,4} (Edu\w+)\s*$", runbook, flags=re.MULTILINE))
    for name, rule in alerts().items():
        assert name in headings, f"RUNBOOK.md has no '### {name}'"
        assert rule["annotations"]["runbook"] == f"deploy/RUNBOOK.md#{name.lower()}"
        assert rule["annotations"]["summary"]
    # The alerts the issue asks for (lag, outbox, dead letters, purges, errors, latency).
    assert {
        "EduConsumerLagGrowing",
        "EduOutboxStuck",
        "EduDeadLetter",
        "EduPurgeOverdue",
        "EduHighErrorRatio",
        "EduLatencyOverBudget",
    } <= set(alerts())


def test_scrape_jobs_cover_every_service_on_its_port(services: dict[str, ServiceInCode]) -> None:
    ports = local_prometheus.job_ports(local_prometheus.deploy_config())
    for spec in SERVICES:
        assert ports.get(spec.name) == services[spec.name].port, spec.name


# ------------------------------------------------------------ metric names
def test_metric_name_extraction() -> None:
    assert metric_names(
        'histogram_quantile(0.95, sum by (job, le) (rate(http_server_request_duration_seconds_bucket{job="a",x=~"5.."}[$__rate_interval])))'
    ) == {"http_server_request_duration_seconds_bucket"}
    assert metric_names(
        "a_total unless a_total offset 10m and on(job) b > 0.5 or job:x:rate5m"
    ) == {"a_total", "b", "job:x:rate5m"}


@pytest.fixture(scope="module")
def exported(services: dict[str, ServiceInCode]) -> dict[str, set[str]]:
    """Service → the Prometheus series names its instruments are exported as
    (read from each service's app as built, without starting it)."""
    found: dict[str, set[str]] = {}
    for name, service in services.items():
        app = importlib.import_module(f"{service.module}.app").create_app(service.settings_cls())
        declared = app.state.runtime.metrics.exported_names()
        found[name] = {series for names in declared.values() for series in names}
    return found


def test_every_query_uses_metrics_the_services_export(exported: dict[str, set[str]]) -> None:
    known = set().union(*exported.values()) | recorded()
    unknown = {
        where: names - known
        for where, expr in queries().items()
        if (names := metric_names(expr)) and names - known
    }
    assert not unknown, unknown
    assert all(metric_names(expr) for expr in queries().values())


def test_every_declared_metric_is_on_a_dashboard_or_in_a_rule(
    exported: dict[str, set[str]],
) -> None:
    used = set().union(*(metric_names(e) for e in queries().values()))
    for service, series in exported.items():
        families = {re.sub(r"_(bucket|sum|count)$", "", s) for s in series}
        unused = {f for f in families if not any(u.startswith(f) for u in used)}
        assert not unused, f"{service} exports {unused}, which no dashboard or rule shows"


def test_dashboards_are_provisioned_and_link_latency_to_jaeger() -> None:
    boards = dashboards()
    assert {"overview", "registry-reader", "applications", "documents", "retention"} <= set(boards)
    assert len({b["uid"] for b in boards.values()}) == len(boards)
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/datasources.yml").read_text())
    uids = {d["uid"] for d in datasources["datasources"]}
    assert {"prometheus", "jaeger"} <= uids
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/dashboards.yml").read_text())
    (provider,) = providers["providers"]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in compose["grafana"]["volumes"]
    assert "./prometheus:/etc/prometheus:ro" in compose["prometheus"]["volumes"]
    for stem, board in boards.items():
        for panel in panels(board):
            assert panel["datasource"]["uid"] in uids
            exprs = [t["expr"] for t in panel["targets"]]
            if not any("histogram_quantile" in e and "duration" in e for e in exprs):
                continue  # not a latency panel
            links = panel.get("links", []) + panel["fieldConfig"]["defaults"].get("links", [])
            assert any("${jaeger}/search" in link["url"] for link in links), (
                f"{stem}: latency panel {panel['title']!r} has no link to Jaeger"
            )


def test_no_label_can_carry_personal_data() -> None:
    """Labels come from route templates, topics, groups and error types; none
    of the queries groups by a label that would hold a person or an id."""
    forbidden = {"application_id", "document_id", "subject_id", "url_path", "url_full", "key"}
    for where, expr in queries().items():
        for labels in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
            for label in (name.strip() for name in labels.split(",")):
                assert label not in forbidden, where
                assert "person" not in label, where
                assert "user" not in label, where
    assert (REPO / "runtime/src/edu_runtime/http_metrics.py").read_text().count("path_template")


def test_kubernetes_pods_are_scraped_on_their_port(services: dict[str, ServiceInCode]) -> None:
    for spec in SERVICES:
        documents = yaml.safe_load_all((DEPLOY / "k8s" / "base" / f"{spec.name}.yaml").read_text())
        (deployment,) = [d for d in documents if d and d.get("kind") == "Deployment"]
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(services[spec.name].port)
        assert annotations["prometheus.io/path"] == "/metrics"
