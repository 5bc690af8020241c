"""Which spans a service records: none when nothing exports them, every one
(the SDK's default sampler) when something does; trace ids go on either way."""

from __future__ import annotations

from edu_runtime.telemetry import build_tracer_provider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


def test_without_an_exporter_spans_are_not_recorded_but_trace_ids_still_propagate() -> None:
    tracer = build_tracer_provider("test").get_tracer("t")
    with (
        tracer.start_as_current_span("outer") as outer,
        tracer.start_as_current_span("inner") as inner,
    ):
        pass
    assert not outer.is_recording()
    assert outer.get_span_context().is_valid  # logs still carry a trace id
    assert inner.get_span_context().trace_id == outer.get_span_context().trace_id


def test_with_an_exporter_every_span_is_recorded_and_exported() -> None:
    memory = InMemorySpanExporter()
    tracer = build_tracer_provider("test", extra_exporters=[memory]).get_tracer("t")
    with tracer.start_as_current_span("outer") as outer:
        assert outer.is_recording()
    assert [s.name for s in memory.get_finished_spans()] == ["outer"]
