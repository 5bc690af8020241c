"""Where a receipt's wait for its handover act goes, hop by hop, read from the
traces of the measured requests (the services' span file).

A receipt confirmation is one trace across three services: applications'
HTTP span and transaction, the relay's publish of the render command,
documents' consume span of the command's record (it ends once its batch is
rendered and stored in one transaction), the relay's
publish of "rendered", and applications' consume span that links the act.
Each hop is the time between two of those moments, so the waits between the
services (fetch waits, relay wake-ups) show beside the work.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from edu_contracts import topics

from edu_tools.traces import Span, Trace

# (hop, the moment it ends). The first hop starts when the HTTP request does.
HOPS: tuple[str, ...] = (
    "HTTP accepted → committed",
    "committed → command relayed",
    "relayed → consumed by documents",
    "rendered and stored",
    "stored → event relayed",
    "relayed → consumed by applications",
    "consumed → act linked",
)


@dataclass(frozen=True)
class HopFigures:
    hop: str
    p50_ms: float
    p95_ms: float


def _first(spans: Iterable[Span], match: Callable[[Span], bool]) -> Span | None:
    found = [s for s in spans if match(s)]
    return min(found, key=lambda s: s.start_ns) if found else None


def receipt_hops(trace: Trace) -> list[float] | None:
    """The hops of one receipt confirmation's trace, in ms (as ``HOPS``), or
    None when the trace is not one or is incomplete."""
    spans = trace.spans
    root = _first(
        spans,
        lambda s: s.kind == "SERVER" and s.name.endswith("/receipt-confirmation"),
    )
    if root is None:
        return None

    def in_service(service: str, kind: str, name_part: str) -> Callable[[Span], bool]:
        return lambda s: s.service == service and s.kind == kind and name_part in s.name

    committed = _first(
        spans, lambda s: s.service == "applications" and s.name == "admin.commitTransaction"
    )
    command_out = _first(spans, in_service("applications", "PRODUCER", topics.DOCUMENT_COMMANDS))
    documents_in = _first(spans, in_service("documents", "CONSUMER", topics.DOCUMENT_COMMANDS))
    rendered_out = _first(spans, in_service("documents", "PRODUCER", topics.DOCUMENT_EVENTS))
    applications_in = _first(spans, in_service("applications", "CONSUMER", topics.DOCUMENT_EVENTS))
    moments = [
        committed.end_ns if committed else None,
        command_out.start_ns if command_out else None,
        documents_in.start_ns if documents_in else None,
        documents_in.end_ns if documents_in else None,
        rendered_out.start_ns if rendered_out else None,
        applications_in.start_ns if applications_in else None,
        applications_in.end_ns if applications_in else None,
    ]
    if any(m is None for m in moments):
        return None
    hops: list[float] = []
    previous = root.start_ns
    for moment in moments:
        assert moment is not None
        hops.append(max(0, moment - previous) / 1e6)
        previous = moment
    return hops


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(0, int(len(sorted_values) * fraction + 0.5) - 1)]


def summarise(traces: Iterable[Trace]) -> tuple[int, list[HopFigures]]:
    """How many receipt traces were complete, and p50/p95 per hop over them."""
    rows = [h for t in traces if (h := receipt_hops(t)) is not None]
    figures: list[HopFigures] = []
    if not rows:
        return 0, figures
    for i, hop in enumerate((*HOPS, "total")):
        values = sorted(sum(r) if hop == "total" else r[i] for r in rows)
        figures.append(HopFigures(hop, statistics.median(values), percentile(values, 0.95)))
    return len(rows), figures
