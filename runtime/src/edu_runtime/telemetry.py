"""OpenTelemetry set-up: one TracerProvider per service, exporters chosen by
settings, and a redaction step in front of every exporter so that no personal
code leaves the process in a span (URLs with ?person_code=, statements ...)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.util.types import AttributeValue

from edu_runtime.pseudonym import redact_personal_codes


def _redact_value(value: AttributeValue) -> AttributeValue:
    if isinstance(value, str):
        return redact_personal_codes(value)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        return [redact_personal_codes(str(v)) for v in value]
    return value


def redacted(span: ReadableSpan) -> ReadableSpan:
    attributes = {k: _redact_value(v) for k, v in (span.attributes or {}).items()}
    return ReadableSpan(
        name=redact_personal_codes(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class RedactingExporter(SpanExporter):
    """Wraps an exporter; every span it passes on has personal codes masked."""

    def __init__(self, inner: SpanExporter, *, owns_inner: bool = True) -> None:
        self._inner = inner
        self._owns_inner = owns_inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([redacted(s) for s in spans])

    def shutdown(self) -> None:
        # An exporter handed in from outside (tests share one across services)
        # outlives any one service's provider.
        if self._owns_inner:
            self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def span_to_dict(span: ReadableSpan) -> dict[str, Any]:
    ctx = span.context
    return {
        "trace_id": format(ctx.trace_id, "032x") if ctx else None,
        "span_id": format(ctx.span_id, "016x") if ctx else None,
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name"),
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
    }


class JsonLinesFileExporter(SpanExporter):
    """Appends finished spans as JSON lines: traces on one machine without a
    collector (``edu traces`` reads the file)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_to_dict(s), default=str) + "\n" for s in spans)
        with self._lock, self._path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def build_tracer_provider(
    service_name: str,
    *,
    otlp_endpoint: str | None = None,
    traces_file: Path | None = None,
    extra_exporters: Sequence[SpanExporter] = (),
) -> TracerProvider:
    exporting = bool(otlp_endpoint or traces_file or extra_exporters)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name, "service.namespace": "edu"}),
        # Spans nobody exports are not recorded (recording them is CPU spent
        # for nothing). Trace ids are still made and propagated (logs carry
        # them); with an exporter the sampler is OTEL_TRACES_SAMPLER's
        # (parent-based, always on, unless set).
        sampler=None if exporting else ALWAYS_OFF,
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
        provider.add_span_processor(BatchSpanProcessor(RedactingExporter(OTLPSpanExporter())))
    if traces_file:
        provider.add_span_processor(
            BatchSpanProcessor(RedactingExporter(JsonLinesFileExporter(traces_file)))
        )
    for exporter in extra_exporters:
        provider.add_span_processor(
            SimpleSpanProcessor(RedactingExporter(exporter, owns_inner=False))
        )
    return provider


_pymongo_instrumented = False


def instrument_pymongo(provider: TracerProvider) -> None:
    """PyMongo's command monitoring is process-global: instrument once."""
    global _pymongo_instrumented  # noqa: PLW0603
    if _pymongo_instrumented:
        return
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    PymongoInstrumentor().instrument(tracer_provider=provider)
    _pymongo_instrumented = True


def tracer(provider: TracerProvider, name: str) -> trace.Tracer:
    return provider.get_tracer(name)
