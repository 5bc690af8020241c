"""Benchmark (not a test): handover acts rendered *and stored* per second on one
core, and peak memory, against the budget of at least 200 acts/s (issue #21).

    .venv/bin/edu bench documents [--seconds 20] [--batch 16]
        [--mongo-url URL]   # default: start the embedded MongoDB for the run

Each act goes the whole way a Kafka command goes (tombstone check, number,
render, the record with its PDF + outbox event in one transaction), without the Kafka
hop, in batches as the consumer takes them. This process is pinned to one CPU core; the database server runs on the
other. Three figures separate the two costs: rendering alone, storing alone (a
pre-rendered PDF through the same path) and both together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edu_contracts.documents import (
    DocumentKind,
    HandoverActContent,
    Language,
    PersonRef,
    RenderRequested,
)
from edu_documents.adapters.store import DocumentStore
from edu_documents.domain.receipt import sample_handover_act
from edu_documents.rendering import render_content
from edu_documents.service import DocumentService, Renderer
from edu_documents.settings import DocumentsSettings
from edu_runtime.runtime import ServiceRuntime

from edu_tools.bench_record import HIGHER, LOWER, BenchResult, Figure

BUDGET_ACTS_PER_SECOND = 200.0
READER = "320000-00001"
# Acts for different families: their names use different letters, as at a school.
NAMES = (
    "Žanete Čakša-Ūdre",
    "Ģirts Ļoļa-Ņikitins",
    "Anna Bērziņa",
    "Kārlis Ozoliņš",
    "Elīza Kalniņa",
    "Jānis Šmits",
    "Ieva Ķemere",
    "Oskars Vītols",
)


@dataclass(frozen=True)
class Result:
    acts: int
    stored: int
    elapsed: float
    cpu: float
    p50_ms: float
    p95_ms: float

    @property
    def rate(self) -> float:
        return self.acts / self.elapsed

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.acts * 1000


def _act(n: int) -> HandoverActContent:
    act = sample_handover_act(Language.LV)
    parent = PersonRef(personal_code="320000-00001", full_name=NAMES[n % len(NAMES)])
    learner = PersonRef(personal_code="320000-00002", full_name=NAMES[(n * 3 + 1) % len(NAMES)])
    return act.model_copy(update={"recipient": parent, "learner": learner})


def _command(n: int) -> RenderRequested:
    return RenderRequested.model_validate(
        {
            "producer": "bench",
            "correlation_id": "bench",
            "payload": {
                "document_id": uuid.uuid4(),
                "language": Language.LV,
                "application_id": uuid.uuid4(),
                "institution_id": "sample",
                "reader_code": READER,
                "content": _act(n),
            },
        }
    )


@contextlib.contextmanager
def _mongo(url: str | None, data_dir: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from edu_tools.backends import Backends  # dev tool, only for this run

    with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
        backends = Backends.on_free_ports(Path(tmp))
        with backends:
            yield backends.mongo_url


def _pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cores[-1]})
    return f"pinned to core {cores[-1]} of {len(cores)}"


def _render_only(seconds: float) -> Result:
    acts = [_act(n) for n in range(len(NAMES))]
    latencies: list[float] = []
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        began = time.perf_counter()
        content = acts[len(latencies) % len(acts)]
        render_content(content, number=f"PNA-2026-{len(latencies):06d}", language=Language.LV)
        latencies.append(time.perf_counter() - began)
    return _result(latencies, 0, time.perf_counter() - start, time.process_time() - cpu)


def _result(latencies: list[float], stored: int, elapsed: float, cpu: float) -> Result:
    latencies.sort()
    return Result(
        acts=len(latencies),
        stored=stored,
        elapsed=elapsed,
        cpu=cpu,
        p50_ms=statistics.median(latencies) * 1000,
        p95_ms=latencies[int(len(latencies) * 0.95)] * 1000,
    )


async def _through_service(
    url: str, seconds: float, batch: int, renderer: Renderer = render_content
) -> Result:
    settings = DocumentsSettings(
        mongo_url=url,
        mongo_db=f"edu_documents_bench_{uuid.uuid4().hex[:6]}",
        http_port=0,
        outbox_relay_enabled=False,  # the relay is Kafka's side of the outbox
    )
    runtime = ServiceRuntime(settings)
    store = DocumentStore(runtime.db, number_block=settings.number_block)
    await store.ensure_indexes()
    await runtime.outbox.ensure_indexes()
    service = DocumentService(runtime, store, renderer=renderer)
    latencies: list[float] = []
    warm_up = 5  # fonts, connections, counters
    try:
        for n in range(warm_up):
            await service.render(_command(n))
        deadline = time.perf_counter() + seconds
        start, cpu = time.perf_counter(), time.process_time()  # every thread of this process

        sent = itertools.count(warm_up)
        # As the consumer does: a batch of what Kafka has, then the next one.
        while time.perf_counter() < deadline:
            commands = [(_command(next(sent)), None) for _ in range(batch)]
            began = time.perf_counter()
            assert len(await service.render_many(commands)) == batch
            latencies += [time.perf_counter() - began] * batch
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        stored = await store.documents.count_documents({"kind": DocumentKind.HANDOVER_ACT.value})
        await runtime.mongo.drop_database(settings.mongo_db)
    finally:
        service.close()
        await runtime.mongo.close()
    return _result(latencies, stored - warm_up, elapsed, cpu)


def _line(label: str, r: Result, extra: str = "") -> str:
    return (
        f"  {label:<24}{r.rate:8.1f} acts/s  ({r.acts} in {r.elapsed:.1f} s; "
        f"CPU {r.cpu_ms:.1f} ms/act; latency p50 {r.p50_ms:.1f} ms, p95 {r.p95_ms:.1f} ms{extra})"
    )


def main(argv: list[str] | None = None) -> BenchResult:
    parser = argparse.ArgumentParser(prog="edu bench documents", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--batch",
        type=int,
        default=DocumentsSettings.model_fields["render_batch_max"].default,
        help="render commands the consumer takes at once (the service's render_batch_max)",
    )
    parser.add_argument("--mongo-url", default=os.environ.get("EDU_MONGO_URL") or None)
    parser.add_argument(
        "--data-dir",
        default=None,
        help="Where the embedded MongoDB keeps its files (default: the system's temp dir).",
    )
    args = parser.parse_args(argv)
    with _mongo(args.mongo_url, args.data_dir) as url:
        pinned = _pin_to_one_core()  # after the database server started: it keeps both cores
        render = _render_only(min(10.0, args.seconds / 2))
        pdf = render_content(
            sample_handover_act(Language.LV), number="PNA-2026-000000", language=Language.LV
        )

        def prerendered(*_: Any, **__: Any) -> bytes:
            return pdf

        store = asyncio.run(
            _through_service(url, args.seconds / 2, args.batch, renderer=prerendered)
        )
        both = asyncio.run(_through_service(url, args.seconds, args.batch))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = both.rate >= BUDGET_ACTS_PER_SECOND
    print(f"documents bench: handover acts, {len(pdf) // 1024} KB each ({pinned})")
    print(_line("render only:", render))
    print(_line("store only:", store, f"; {store.stored} stored"))
    print(_line("render + store:", both, f"; {both.stored} stored"))
    print(f"  this process could do {1000 / both.cpu_ms:.0f} acts per CPU-second end to end")
    print(f"  peak memory (max RSS):  {peak_mb:.1f} MB")
    print(
        f"  budget: >= {BUDGET_ACTS_PER_SECOND:.0f} acts/s rendered and stored -> "
        f"{'OK' if ok else 'BELOW BUDGET'} ({both.rate:.1f} acts/s, batches of "
        f"{args.batch}, load average {os.getloadavg()[0]:.1f})"
    )
    figures = [
        Figure(
            name=f"documents: acts {label}, one core",
            value=r.rate,
            unit="/s",
            direction=HIGHER,
            budget=BUDGET_ACTS_PER_SECOND if label == "rendered + stored" else None,
            cpu_ms=r.cpu_ms,
        )
        for label, r in (
            ("rendered + stored", both),
            ("rendered only", render),
            ("stored only", store),
        )
    ]
    figures += [
        Figure(
            name="documents: CPU per act rendered + stored",
            value=both.cpu_ms,
            unit="ms",
            direction=LOWER,
        ),
        Figure(name="documents: peak RSS", value=peak_mb, unit="MB", direction=LOWER),
    ]
    return BenchResult(bench="documents", exit_code=0 if ok else 1, figures=figures)


if __name__ == "__main__":
    sys.exit(main().exit_code)
