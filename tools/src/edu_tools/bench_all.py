"""``edu bench all``: every benchmark in turn, each in a process of its own (the
documents bench pins its process to one core; a failing bench does not stop the
others), with the profile's parameters; the figures compared with the last
committed ones (edu_tools.bench_record) and, with ``--write``, recorded."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from edu_tools import bench_record as br

# Piped to a file or a log, the comparison table keeps its rows on one line each.
console = Console(width=None if sys.stdout.isatty() else 160)


def _applications(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.bench_applications import main

    return main(p["n"], 32, p["receipts"], 20.0, False)


def _registry(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.registry.bench import run

    return run(learners=p["learners"], rate=200.0, duration=p["duration"], data_dir=p["data_dir"])


def _documents(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.documents.bench import main

    return main(["--seconds", str(p["seconds"])])


def _retention(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.retention.bench import main

    return main(["--sizes", p["sizes"], "--due", str(p["due"]), "--batch", "500"])


def _notifications(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.bench_notifications import main

    return main(p["changes"])


def _portal(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.bench_portal import run

    return run(learners=p["learners"], rate=100.0, duration=p["duration"], data_dir=p["data_dir"])


def _inbox(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.bench_inbox import run

    return run(n=p["n"], requests=p["requests"], data_dir=p["data_dir"])


def _items(p: dict[str, Any]) -> br.BenchResult:
    from edu_tools.bench_items import run

    return run(n=p["n"], requests=p["requests"], data_dir=p["data_dir"])


BENCHES: dict[str, Callable[[dict[str, Any]], br.BenchResult]] = {
    "applications": _applications,
    "registry": _registry,
    "documents": _documents,
    "retention": _retention,
    "notifications": _notifications,
    "portal": _portal,
    "inbox": _inbox,
    "items": _items,
}

# full: the benches' own defaults. short: the same benches small enough that one
# run of all of them takes ~5 minutes on two cores (own data dirs, so a short
# run's small registers never stand in for the full ones).
PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    "full": {
        "applications": {"n": 1000, "receipts": 200},
        "registry": {"learners": 250_000, "duration": 60.0, "data_dir": Path(".edu/bench")},
        "documents": {"seconds": 20.0},
        "retention": {"sizes": "100000,1000000", "due": 10_000},
        "notifications": {"changes": 10_000},
        "portal": {"learners": 250_000, "duration": 30.0, "data_dir": Path(".edu/bench")},
        "inbox": {"n": 5000, "requests": 200, "data_dir": Path(".edu/bench-inbox")},
        "items": {"n": 20_000, "requests": 200, "data_dir": Path(".edu/bench-items")},
    },
    "short": {
        "applications": {"n": 300, "receipts": 60},
        "registry": {
            "learners": 20_000,
            "duration": 15.0,
            "data_dir": Path(".edu/bench-short"),
        },
        "documents": {"seconds": 8.0},
        "retention": {"sizes": "10000,100000", "due": 1000},
        "notifications": {"changes": 1000},
        "portal": {
            "learners": 20_000,
            "duration": 10.0,
            "data_dir": Path(".edu/bench-short"),
        },
        "inbox": {"n": 1000, "requests": 100, "data_dir": Path(".edu/bench-inbox-short")},
        "items": {"n": 5000, "requests": 100, "data_dir": Path(".edu/bench-items-short")},
    },
}


def _run_one(name: str, params: dict[str, Any]) -> br.BenchResult:
    return BENCHES[name](params)


def _elapsed(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def run_once(
    profile: str, only: list[str] | None, started: float, label: str
) -> tuple[list[br.Figure], list[br.Missing]]:
    figures: list[br.Figure] = []
    missing: list[br.Missing] = []
    names = [n for n in BENCHES if not only or n in only]
    context = multiprocessing.get_context("spawn")
    for i, name in enumerate(names, 1):
        console.rule(
            f"[bold]{label}bench {i}/{len(names)}: {name}[/] ({profile} profile; "
            f"elapsed {_elapsed(time.monotonic() - started)})"
        )
        began = time.monotonic()
        try:
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                result = pool.submit(_run_one, name, PROFILES[profile][name]).result()
        except Exception as exc:
            error = "".join(traceback.format_exception_only(exc)).strip()
            console.print(f"[red]{name} failed:[/] {error}")
            missing.append(br.Missing(bench=name, error=error[:300]))
            continue
        figures += result.figures
        console.print(
            f"{name}: {len(result.figures)} figures in {_elapsed(time.monotonic() - began)} "
            f"(its exit code {result.exit_code})"
        )
    return figures, missing


def print_comparison(rows: list[br.Comparison], previous: br.ProfileRecord | None) -> None:
    since = f" ({previous.date[:16]}, {previous.commit})" if previous else " (none)"
    table = Table(title=f"this run vs the last committed{since}")
    for column in ("figure", "this run", "last committed", "change", "noise", "budget", "flag"):
        table.add_column(column, justify="left" if column in ("figure", "flag") else "right")
    for cells, row in zip(br.comparison_rows(rows), rows, strict=True):
        style = "red" if row.flag == "REGRESSION" else ("green" if row.flag == "better" else None)
        table.add_row(*cells, style=style)
    console.print(table)
    if any(not r.noise_known for r in rows):
        console.print(
            f"noise marked (default): not measured for that figure; {br.DEFAULT_NOISE:.0%} "
            "assumed (measure it with --repeat 2). A measured noise is taken as at least "
            f"{br.MIN_NOISE:.0%}."
        )


def main(
    profile: str,
    *,
    repeat: int,
    write: bool,
    noise_from: Path | None,
    fail_on_regression: bool,
    only: list[str] | None,
    record_path: Path = br.RECORD,
) -> int:
    if profile not in PROFILES:
        raise ValueError(f"profile is one of {', '.join(PROFILES)}")
    machine = br.machine()
    commit, dirty = br.git_commit()
    date = br.stamp()
    console.print(
        f"{machine.describe()}\ncommit {commit}{' + uncommitted changes' if dirty else ''}"
    )
    started = time.monotonic()
    runs: list[list[br.Figure]] = []
    missing: dict[str, br.Missing] = {}
    for r in range(repeat):
        figures, failed = run_once(
            profile, only, started, f"run {r + 1}/{repeat}, " if repeat > 1 else ""
        )
        runs.append(figures)
        missing.update({m.bench: m for m in failed})
    wall = time.monotonic() - started
    previous = br.committed(record_path).profiles.get(profile)
    noise_source = br.load(noise_from).profiles.get(profile) if noise_from else previous
    combined = br.combine(runs, noise_from=noise_source)
    rows = br.compare(combined, previous)
    console.rule(f"all benches: {_elapsed(wall)} wall time")
    print_comparison(rows, previous)
    for m in missing.values():
        console.print(f"[red]missing:[/] {m.bench}: {m.error}")
    if write:
        record = br.load(record_path)
        kept = record.profiles.get(profile) if only else None
        if kept and only:  # --only: the other benches' recorded figures stay as they were
            combined += [f for f in kept.figures if f.name.split(":")[0] not in only]
        record.profiles[profile] = br.ProfileRecord(
            profile=profile,
            date=date,
            commit=commit,
            dirty=dirty,
            repeat=repeat,
            wall_seconds=round(wall, 1),
            machine=machine,
            figures=combined,
            missing=list(missing.values()),
        )
        br.save(record, record_path)
        console.print(f"wrote {record_path} (then `edu bench table` for README's table)")
    bad = br.regressions(rows)
    if bad:
        console.print(f"[red]{len(bad)} figure(s) moved the wrong way by more than the noise[/]")
    return 1 if fail_on_regression and bad else 0
