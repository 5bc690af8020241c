"""Metrics: the Prometheus names each instrument is declared with are the names
the exporter really produces; services in one process keep their own series;
HTTP metrics label routes by template (no ids or personal codes); a group
commit reports its flush sizes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from edu_runtime.group_commit import GroupCommit
from edu_runtime.http_metrics import HttpMetricsMiddleware
from edu_runtime.metrics import ServiceMetrics
from litestar import Litestar, get
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families


def series(metrics: ServiceMetrics) -> dict[str, list[dict[str, str]]]:
    """Series name → the label sets it has in the exposition."""
    found: dict[str, list[dict[str, str]]] = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(dict(sample.labels))
    return found


def test_declared_names_are_what_prometheus_gets() -> None:
    metrics = ServiceMetrics("test-service")
    extra_histogram = metrics.histogram("edu.test.render.duration", "s", "a domain histogram")
    extra_counter = metrics.counter("edu.test.purges.confirmed", "{purge}", "a domain counter")
    extra_gauge = metrics.gauge("edu.test.purges.due", "{purge}", "a domain gauge")
    attributes = {"messaging.destination.name": "t"}
    metrics.http_server_duration.record(0.01, {"http.route": "/x"})
    metrics.process_duration.record(0.01, attributes)
    metrics.consumed.add(1, attributes)
    metrics.sent.add(1, attributes)
    metrics.dead_letters.add(1, {**attributes, "error.type": "ValidationError"})
    metrics.consumer_batch_size.record(3)
    metrics.group_commit("test")(4)
    metrics.consumer_lag.replace([(5, {"messaging.destination.partition.id": "0"})])
    metrics.outbox_records.set(2)
    metrics.outbox_oldest_age.set(1.5)
    metrics.inbox_records.set(7)
    extra_histogram.record(0.2, {"edu.document.kind": "handover_act"})
    extra_counter.add(1)
    extra_gauge.set(3)

    exported = series(metrics)
    declared = {name for names in metrics.exported_names().values() for name in names}
    assert declared <= set(exported), declared - set(exported)
    assert "http_server_request_duration_seconds_bucket" in declared
    assert "edu_dead_letters_total" in declared
    assert "edu_outbox_oldest_age_seconds" in declared
    (dead,) = exported["edu_dead_letters_total"]
    assert dead["error_type"] == "ValidationError"
    assert dead["messaging_destination_name"] == "t"
    metrics.shutdown()


def test_services_in_one_process_keep_their_own_series() -> None:
    one, two = ServiceMetrics("one"), ServiceMetrics("two")
    one.sent.add(1, {"messaging.destination.name": "a"})
    assert "messaging_client_sent_messages_total" in series(one)
    assert "messaging_client_sent_messages_total" not in series(two)
    one.shutdown()
    two.shutdown()


async def test_http_requests_are_labelled_by_route_template() -> None:
    metrics = ServiceMetrics("http-test")

    @get("/api/v1/things/{code:str}", sync_to_thread=False)
    def thing(code: FromPath[str]) -> dict[str, str]:
        if code == "broken":
            raise RuntimeError("boom")
        if code == "missing":
            raise HTTPException(status_code=404, detail="no")
        return {"code": code}

    @get("/health/live", sync_to_thread=False)
    def live() -> dict[str, str]:
        return {}

    app = Litestar(
        route_handlers=[thing, live],
        middleware=[
            DefineMiddleware(HttpMetricsMiddleware, metrics=metrics, exclude=["^/health/"])
        ],
    )
    async with AsyncTestClient(app) as client:
        assert (await client.get("/api/v1/things/120485-11116")).status_code == 200
        assert (await client.get("/api/v1/things/missing")).status_code == 404
        assert (await client.get("/api/v1/things/broken")).status_code == 500
        assert (await client.get("/health/live")).status_code == 200

    counts = series(metrics)["http_server_request_duration_seconds_count"]
    assert {c["http_route"] for c in counts} == {"/api/v1/things/{code}"}
    by_status = {c["http_response_status_code"]: c for c in counts}
    assert set(by_status) == {"200", "404", "500"}
    assert by_status["500"]["error_type"] == "500"
    assert by_status["404"].get("error_type", "") == ""  # 4xx are the caller's errors
    assert "120485" not in metrics.exposition().decode()
    metrics.shutdown()


async def test_group_commit_reports_each_flush_size() -> None:
    sizes: list[int] = []
    written: list[int] = []

    started, release = asyncio.Event(), asyncio.Event()

    async def write(items: Sequence[int]) -> None:
        started.set()
        await release.wait()  # the round trip ends when the test says
        written.extend(items)

    async def end_round_trip() -> None:
        release.set()

    commits: GroupCommit[int] = GroupCommit(write, observe=sizes.append)
    first = asyncio.create_task(commits.write(0))
    await started.wait()  # its flush is under way: the others share the next one
    # gather starts its tasks in order: the nine writes queue before the trip ends.
    await asyncio.gather(first, *(commits.write(i) for i in range(1, 10)), end_round_trip())
    assert sorted(written) == list(range(10))
    assert sizes == [1, 9]
