"""Metrics: one OpenTelemetry MeterProvider per service (like the tracer
provider), read by Prometheus from the service's ``GET /metrics``.

Names follow the OpenTelemetry semantic conventions where one exists
(``http.server.request.duration``, ``messaging.process.duration``,
``messaging.client.consumed.messages``, ``messaging.client.sent.messages``);
the rest are ours under ``edu.``. The Prometheus exporter turns dots into
underscores and appends the unit and ``_total``: ``http.server.request.duration``
in seconds is ``http_server_request_duration_seconds_bucket|_sum|_count``.

Every instrument is declared here or through ``ServiceMetrics.histogram`` /
``counter`` / ``gauge``, which also record the Prometheus names it will have
(``exported_names``): the deployment tests check every dashboard and alert
query against them. Labels never carry personal data: routes are templates,
topics and consumer groups are names, errors are exception class names.

Each service has its own registry, so several services in one process (tests)
each serve only their own series.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.metrics import CallbackOptions, Counter, Histogram, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

Attributes = Mapping[str, str | int]

# Seconds. HTTP: the semantic conventions' advisory boundaries.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
# Background work that may take longer (consumers, renders, flows across services).
SLOW_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500)

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST

# OpenTelemetry unit → Prometheus suffix, as the exporter maps them (curly units
# such as {message} are annotations and add nothing).
_UNIT_SUFFIX = {"s": "seconds", "ms": "milliseconds", "By": "bytes", "1": "ratio"}

Kind = Literal["counter", "histogram", "gauge"]


def prometheus_names(name: str, unit: str, kind: Kind) -> tuple[str, ...]:
    """The series names the Prometheus exporter gives an instrument."""
    base = name.replace(".", "_").replace("-", "_")
    suffix = _UNIT_SUFFIX.get(unit, "")
    if suffix and not base.endswith(suffix):
        base = f"{base}_{suffix}"
    if kind == "counter":
        return (f"{base}_total",)
    if kind == "histogram":
        return (f"{base}_bucket", f"{base}_sum", f"{base}_count")
    return (base,)


@dataclass
class SampledGauge:
    """A gauge whose rows a background sampler replaces now and then; a scrape
    reads the last sample (no database query on the scrape path)."""

    rows: list[tuple[float, dict[str, str | int]]] = field(default_factory=list)

    def set(self, value: float, attributes: Attributes | None = None) -> None:
        self.rows = [(value, dict(attributes or {}))]

    def replace(self, rows: Iterable[tuple[float, Attributes]]) -> None:
        self.rows = [(value, dict(attrs)) for value, attrs in rows]

    def observe(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(value, attrs) for value, attrs in self.rows]


class ServiceMetrics:
    def __init__(self, service_name: str) -> None:
        self.service_name = service_name
        self.registry = CollectorRegistry(auto_describe=False)
        reader = PrometheusMetricReader(registry=self.registry, scope_info_enabled=False)
        self.provider = MeterProvider(
            metric_readers=[reader],
            resource=Resource.create({"service.name": service_name, "service.namespace": "edu"}),
        )
        self.meter = self.provider.get_meter("edu_runtime")
        self._names: dict[str, tuple[str, ...]] = {}

        # HTTP server (semantic conventions): rate, errors and duration per route.
        self.http_server_duration = self.histogram(
            "http.server.request.duration",
            "s",
            "Duration of HTTP server requests.",
            buckets=HTTP_BUCKETS,
        )
        # Messaging (semantic conventions).
        self.process_duration = self.histogram(
            "messaging.process.duration",
            "s",
            "Duration of processing a consumed message or batch.",
            buckets=SLOW_BUCKETS,
        )
        self.consumed = self.counter(
            "messaging.client.consumed.messages",
            "{message}",
            "Messages handed to a consumer.",
        )
        self.sent = self.counter(
            "messaging.client.sent.messages",
            "{message}",
            "Messages the outbox relay published.",
        )
        # Ours.
        self.dead_letters = self.counter(
            "edu.dead_letters",
            "{message}",
            "Messages a consumer gave up on and published to the dead-letter topic, "
            "by original topic, consumer group and error type.",
        )
        self.consumer_batch_size = self.histogram(
            "edu.consumer.batch.size",
            "{message}",
            "Records applied together by a batch consumer.",
            buckets=BATCH_BUCKETS,
        )
        self.group_commit_batch_size = self.histogram(
            "edu.group_commit.batch.size",
            "{write}",
            "Concurrent callers' writes flushed in one group commit.",
            buckets=BATCH_BUCKETS,
        )
        self.consumer_lag = self.gauge(
            "edu.kafka.consumer.lag",
            "{message}",
            "Records on a partition the consumer group has not taken yet "
            "(end offset minus the consumer's position), sampled.",
        )
        self.outbox_records = self.gauge(
            "edu.outbox.records", "{record}", "Outbox records not yet published, sampled."
        )
        self.outbox_oldest_age = self.gauge(
            "edu.outbox.oldest.age",
            "s",
            "Age of the oldest outbox record not yet published (0 when empty), sampled.",
        )
        self.inbox_records = self.gauge(
            "edu.inbox.records",
            "{record}",
            "Applied event ids consumers remember (pruned after the retention), sampled.",
        )

    # --- declaring instruments -------------------------------------------
    def _declare(self, name: str, unit: str, kind: Kind) -> None:
        self._names[name] = prometheus_names(name, unit, kind)

    def histogram(
        self, name: str, unit: str, description: str, *, buckets: Sequence[float] = SLOW_BUCKETS
    ) -> Histogram:
        self._declare(name, unit, "histogram")
        return self.meter.create_histogram(
            name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets
        )

    def counter(self, name: str, unit: str, description: str) -> Counter:
        self._declare(name, unit, "counter")
        return self.meter.create_counter(name, unit=unit, description=description)

    def gauge(self, name: str, unit: str, description: str) -> SampledGauge:
        self._declare(name, unit, "gauge")
        gauge = SampledGauge()
        self.meter.create_observable_gauge(
            name, callbacks=[gauge.observe], unit=unit, description=description
        )
        return gauge

    def exported_names(self) -> dict[str, tuple[str, ...]]:
        """Instrument name → the Prometheus series names it is exported as."""
        return dict(self._names)

    # --- recording helpers -------------------------------------------------
    def group_commit(self, name: str) -> Callable[[int], None]:
        """For ``GroupCommit(observe=...)``: records each flush's size."""
        attributes = {"edu.group_commit.name": name}
        return lambda size: self.group_commit_batch_size.record(size, attributes)

    # --- exposition ----------------------------------------------------------
    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def shutdown(self) -> None:
        self.provider.shutdown()


def messaging_attributes(topic: str, group: str | None) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
    }
    if group:
        attributes["messaging.consumer.group.name"] = group
    return attributes
