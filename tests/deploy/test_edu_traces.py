"""``edu traces`` on a hand-made span file: trees across services, background
polls hidden, broken lines skipped, selection by id, correlation and recency."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edu_tools.cli import app
from edu_tools.traces import format_duration, group_traces, read_spans, select
from typer.testing import CliRunner

MS = 1_000_000
T0 = 1_800_000_000_000_000_000


def span(
    trace: str,
    span_id: str,
    parent: str | None,
    name: str,
    service: str,
    kind: str,
    start_ms: float,
    end_ms: float,
    **attributes: Any,
) -> dict[str, Any]:
    return {
        "trace_id": trace,
        "span_id": span_id,
        "parent_id": parent,
        "name": name,
        "kind": kind,
        "service": service,
        "start_ns": T0 + int(start_ms * MS),
        "end_ns": T0 + int(end_ms * MS),
        "status": "ERROR" if "boom" in name else "UNSET",
        "attributes": attributes,
    }


def write(path: Path, spans: Sequence[dict[str, Any] | str], extra: str = "") -> Path:
    path.write_text("".join(json.dumps(s) + "\n" for s in spans) + extra)
    return path


REQUEST = [
    # Children are written before parents, as BatchSpanProcessors flush them.
    span(
        "a" * 32,
        "c1",
        "s1",
        "edu.x.v1 process boom",
        "retention",
        "CONSUMER",
        40,
        52,
        **{"messaging.message.conversation_id": "corr-1"},
    ),
    span(
        "a" * 32,
        "p1",
        "s1",
        "edu.x.v1 publish",
        "applications",
        "PRODUCER",
        8,
        9,
        **{"messaging.message.conversation_id": "corr-1"},
    ),
    span("a" * 32, "s1", None, "POST /api/v1/applications", "applications", "SERVER", 0, 12),
    span(
        "a" * 32,
        "d1",
        "c1",
        "edu_retention.find",
        "retention",
        "CLIENT",
        41,
        42,
        **{"db.system": "mongodb"},
    ),
]
POLL = [
    span(
        "b" * 32,
        "q1",
        None,
        "edu_documents.find",
        "documents",
        "CLIENT",
        100,
        101,
        **{"db.system": "mongodb"},
    )
]
OLDER = [span("c" * 32, "o1", None, "GET /api/v1/my-data", "registry-reader", "SERVER", -50, -40)]


def test_renders_one_tree_across_services(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", OLDER + REQUEST + POLL, extra='{"trace_id": "half')
    result = CliRunner().invoke(app, ["traces", "--trace", "aaaa", "--file", str(path)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(f"trace {'a' * 32}  ")
    assert "52.0 ms  4 spans  services: applications, retention" in lines[0]
    assert lines[1] == "  correlation id: corr-1"
    assert lines[2:] == [
        "  └─ POST /api/v1/applications  [applications · server]  12.0 ms  @+0 µs",
        "     ├─ edu.x.v1 publish  [applications · producer]  1.0 ms  @+8.0 ms",
        "     └─ edu.x.v1 process boom  [retention · consumer]  12.0 ms  @+40.0 ms  ✗ ERROR",
        "        └─ edu_retention.find  [retention · client]  1.0 ms  @+41.0 ms",
    ]


def test_selection(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", OLDER + REQUEST + POLL + ["not json"])
    traces = group_traces(read_spans(path))
    assert [t.trace_id[0] for t in traces] == ["c", "a", "b"]
    # Background polls are hidden unless asked for.
    assert [t.trace_id[0] for t in select(traces, last=5)] == ["c", "a"]
    assert [t.trace_id[0] for t in select(traces, last=1, include_background=True)] == ["b"]
    assert [t.trace_id[0] for t in select(traces, last=1)] == ["a"]
    assert [t.trace_id[0] for t in select(traces, correlation_id="corr-1")] == ["a"]
    assert select(traces, correlation_id="nope") == []
    assert [t.trace_id[0] for t in select(traces, service="registry-reader")] == ["c"]


def test_orphans_are_roots_and_missing_file_is_explained(tmp_path: Path) -> None:
    orphan = [span("d" * 32, "x1", "gone", "edu.y.v1 process", "documents", "CONSUMER", 0, 1)]
    path = write(tmp_path / "t.jsonl", orphan)
    out = CliRunner().invoke(app, ["traces", "--file", str(path)]).output
    assert "  └─ edu.y.v1 process  [documents · consumer]  1.0 ms  @+0 µs" in out
    missing = CliRunner().invoke(app, ["traces", "--file", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 0
    assert "no traces file" in missing.output
    assert format_duration(1_500) == "2 µs"
    assert format_duration(2_500_000_000) == "2.50 s"
