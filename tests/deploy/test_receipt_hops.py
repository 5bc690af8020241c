"""``edu bench applications --hops``: a receipt confirmation's trace cut into
its hops, on hand-made spans named as the services name them (the benchmark's
run with real services found every one of its 100 traces complete)."""

from __future__ import annotations

from edu_contracts import topics
from edu_tools.hops import HOPS, receipt_hops, summarise
from edu_tools.traces import Span, Trace

MS = 1_000_000


def span(service: str, kind: str, name: str, start_ms: float, end_ms: float) -> Span:
    return Span(
        trace_id="t",
        span_id=f"{service}-{name}-{start_ms}",
        parent_id=None,
        name=name,
        kind=kind,
        service=service,
        start_ns=int(start_ms * MS),
        end_ns=int(end_ms * MS),
        status="UNSET",
        attributes={},
    )


def receipt(offset: float = 0, documents_wait: float = 30) -> list[Span]:
    o = offset
    d = documents_wait
    return [
        span(
            "applications",
            "SERVER",
            "POST /api/v1/applications/{id}/receipt-confirmation",
            o,
            o + 20,
        ),
        span("applications", "CLIENT", "admin.commitTransaction", o + 8, o + 10),
        span("applications", "PRODUCER", f"{topics.DOCUMENT_COMMANDS} publish", o + 15, o + 16),
        # The command's record span: it ends when its batch is stored (the
        # batch's own transaction spans are in the batch's trace, not here).
        span(
            "documents", "CONSUMER", f"{topics.DOCUMENT_COMMANDS} process", o + 15 + d, o + 65 + d
        ),
        span("documents", "PRODUCER", f"{topics.DOCUMENT_EVENTS} publish", o + 70 + d, o + 71 + d),
        span(
            "applications", "CONSUMER", f"{topics.DOCUMENT_EVENTS} process", o + 90 + d, o + 100 + d
        ),
        # A later commit of the same service must not be taken for the first.
        span("applications", "CLIENT", "admin.commitTransaction", o + 95 + d, o + 96 + d),
    ]


def test_a_complete_trace_is_cut_at_each_services_moment() -> None:
    hops = receipt_hops(Trace("t", receipt()))
    assert hops is not None
    assert len(hops) == len(HOPS)
    assert hops == [10.0, 5.0, 30.0, 50.0, 5.0, 20.0, 10.0]
    assert sum(hops) == 130.0  # request start → act linked


def test_an_incomplete_trace_or_another_request_is_not_counted() -> None:
    no_documents = [s for s in receipt() if s.service != "documents"]
    assert receipt_hops(Trace("t", no_documents)) is None
    other = [span("applications", "SERVER", "GET /api/v1/applications/{id}", 0, 5), *receipt()[1:]]
    assert receipt_hops(Trace("t", other)) is None


def test_summary_gives_each_hop_and_the_total_over_complete_traces() -> None:
    traces = [
        Trace("a", receipt(0, documents_wait=10)),
        Trace("b", receipt(1000, documents_wait=30)),
        Trace("c", receipt(2000, documents_wait=50)),
        Trace("d", [s for s in receipt(3000) if s.service != "documents"]),
    ]
    complete, figures = summarise(traces)
    assert complete == 3
    by_hop = {f.hop: f for f in figures}
    assert set(by_hop) == {*HOPS, "total"}
    wait = by_hop["relayed → consumed by documents"]
    assert (wait.p50_ms, wait.p95_ms) == (30.0, 50.0)
    assert by_hop["total"].p50_ms == 130.0
    assert summarise([]) == (0, [])
