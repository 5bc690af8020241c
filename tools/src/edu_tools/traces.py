"""``edu traces``: the latest traces from the local JSON-lines span file, as trees.

On one machine there is no Jaeger: every service appends its finished spans to
``EDU_TRACES_FILE`` (``edu up`` sets ``.edu/traces.jsonl``; see
``edu_runtime.telemetry.JsonLinesFileExporter``). This module groups those
spans by trace id, rebuilds the parent/child tree across services and prints it
with durations and offsets from the start of the trace.

Traces made only of database client spans (the outbox relays and sweepers
polling MongoDB in the background) are hidden unless asked for: they would
otherwise bury the one request an operator is looking for.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Attributes FastStream's telemetry middleware puts on publish/process spans
# (OpenTelemetry messaging conventions): the message's correlation id.
CORRELATION_ATTRIBUTES = ("messaging.message.conversation_id",)


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    kind: str
    service: str
    start_ns: int
    end_ns: int
    status: str
    attributes: dict[str, Any]

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Span:
        return cls(
            trace_id=str(raw["trace_id"]),
            span_id=str(raw["span_id"]),
            parent_id=str(raw["parent_id"]) if raw.get("parent_id") else None,
            name=str(raw.get("name", "?")),
            kind=str(raw.get("kind", "INTERNAL")),
            service=str(raw.get("service") or "?"),
            start_ns=int(raw.get("start_ns") or 0),
            end_ns=int(raw.get("end_ns") or raw.get("start_ns") or 0),
            status=str(raw.get("status", "UNSET")),
            attributes=dict(raw.get("attributes") or {}),
        )


@dataclass
class Trace:
    trace_id: str
    spans: list[Span] = field(default_factory=list)

    @property
    def start_ns(self) -> int:
        return min(s.start_ns for s in self.spans)

    @property
    def end_ns(self) -> int:
        return max(s.end_ns for s in self.spans)

    @property
    def services(self) -> list[str]:
        """Services in the order they joined the trace."""
        seen: dict[str, None] = {}
        for span in sorted(self.spans, key=lambda s: s.start_ns):
            seen.setdefault(span.service, None)
        return list(seen)

    @property
    def background_only(self) -> bool:
        """Only database client spans: a poll, not a request or a message."""
        return all(s.kind == "CLIENT" and "db.system" in s.attributes for s in self.spans)

    def correlation_ids(self) -> set[str]:
        return {
            str(s.attributes[a])
            for s in self.spans
            for a in CORRELATION_ATTRIBUTES
            if a in s.attributes
        }

    def children(self) -> tuple[list[Span], dict[str, list[Span]]]:
        """Roots (no parent, or a parent not in the file) and children by parent id."""
        ids = {s.span_id for s in self.spans}
        roots: list[Span] = []
        by_parent: dict[str, list[Span]] = defaultdict(list)
        for span in self.spans:
            if span.parent_id and span.parent_id in ids:
                by_parent[span.parent_id].append(span)
            else:
                roots.append(span)
        roots.sort(key=lambda s: s.start_ns)
        for kids in by_parent.values():
            kids.sort(key=lambda s: s.start_ns)
        return roots, by_parent


def read_spans(path: Path) -> list[Span]:
    """Every well-formed span line in ``path``; a half-written last line (the
    services append while we read) or any other broken line is skipped."""
    spans: list[Span] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                raw = json.loads(line)
                spans.append(Span.from_dict(raw))
            except (ValueError, KeyError, TypeError):
                continue
    return spans


def group_traces(spans: Iterable[Span]) -> list[Trace]:
    """Traces ordered by start time, oldest first."""
    traces: dict[str, Trace] = {}
    for span in spans:
        traces.setdefault(span.trace_id, Trace(span.trace_id)).spans.append(span)
    return sorted(traces.values(), key=lambda t: t.start_ns)


def select(
    traces: list[Trace],
    *,
    last: int = 5,
    trace_id: str | None = None,
    correlation_id: str | None = None,
    service: str | None = None,
    include_background: bool = False,
) -> list[Trace]:
    """The traces to show: one by id (prefix allowed) or correlation id, or the
    ``last`` most recent ones, oldest first."""
    if trace_id:
        wanted = trace_id.lower()
        return [t for t in traces if t.trace_id.startswith(wanted)]
    if correlation_id:
        return [t for t in traces if correlation_id in t.correlation_ids()]
    chosen = [
        t
        for t in traces
        if (include_background or not t.background_only)
        and (service is None or service in t.services)
    ]
    return chosen[-last:] if last > 0 else chosen


def format_duration(ns: int) -> str:
    if ns < 1_000_000:
        return f"{ns / 1000:.0f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.1f} ms"
    return f"{ns / 1_000_000_000:.2f} s"


def _label(span: Span, trace_start: int) -> str:
    status = "  ✗ ERROR" if span.status == "ERROR" else ""
    return (
        f"{span.name}  [{span.service} · {span.kind.lower()}]  "
        f"{format_duration(span.duration_ns)}  @+{format_duration(span.start_ns - trace_start)}"
        f"{status}"
    )


def render(trace: Trace) -> str:
    """One trace as an indented tree, with a header line."""
    start = trace.start_ns
    when = dt.datetime.fromtimestamp(start / 1e9, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    correlation = sorted(trace.correlation_ids())
    header = (
        f"trace {trace.trace_id}  {when} UTC  {format_duration(trace.end_ns - start)}  "
        f"{len(trace.spans)} spans  services: {', '.join(trace.services)}"
    )
    if correlation:
        header += f"\n  correlation id: {', '.join(correlation)}"
    roots, by_parent = trace.children()
    lines = [header]

    def walk(span: Span, prefix: str, last: bool) -> Iterator[str]:
        yield f"{prefix}{'└─ ' if last else '├─ '}{_label(span, start)}"
        kids = by_parent.get(span.span_id, [])
        for i, kid in enumerate(kids):
            yield from walk(kid, prefix + ("   " if last else "│  "), i == len(kids) - 1)

    for i, root in enumerate(roots):
        lines.extend(walk(root, "  ", i == len(roots) - 1))
    return "\n".join(lines)


def show(
    path: Path,
    *,
    last: int = 5,
    trace_id: str | None = None,
    correlation_id: str | None = None,
    service: str | None = None,
    include_background: bool = False,
) -> str:
    """What ``edu traces`` prints."""
    if not path.exists():
        return (
            f"no traces file at {path}. Services write it when EDU_TRACES_FILE is set "
            "(`edu up` sets it to .edu/traces.jsonl)."
        )
    traces = select(
        group_traces(read_spans(path)),
        last=last,
        trace_id=trace_id,
        correlation_id=correlation_id,
        service=service,
        include_background=include_background,
    )
    if not traces:
        hint = "" if include_background else " (background polls are hidden; --all shows them)"
        return f"no matching traces in {path}{hint}"
    return "\n\n".join(render(t) for t in traces)
