"""Benchmark (not a test): ``edu retention bench`` (or ``python -m edu_tools.retention.bench``).

For each store size (default 100,000 and 1,000,000 recorded deadlines) with
the same number due (default 10,000 = 1 % of the larger store), on fresh
embedded Kafka + MongoDB servers:

- an empty sweep (nothing due) — the fixed cost a sweep pays for the store size;
- the sweep that orders every due deadline (deadlines + ledger + outbox, in
  batches of ``--batch`` per transaction) → orders/s;
- the relay publishing those orders to Kafka → messages/s.

The claim checked: sweep cost follows the number due, not the number stored,
so the two sizes must give about the same sweep time (budget: the large store
may be at most 1.5x slower than the small one).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from edu_runtime.mongo import CODEC_OPTIONS, create_client
from edu_runtime.outbox import Outbox
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitsOfWork
from pymongo import ReplaceOne

if TYPE_CHECKING:
    from edu_tools.backends import Backends

from edu_retention.adapters.store import RetentionStore, deadline_to_doc
from edu_retention.adapters.sweeper import Sweeper, SweepResult
from edu_retention.clock import ManualClock
from edu_retention.domain.model import new_application_deadline
from edu_retention.service import RetentionService
from edu_retention.settings import RetentionSettings

from edu_tools.bench_record import HIGHER, LOWER, BenchResult, Figure

NOW = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
SCALE_BUDGET = 1.5


def _deadline_docs(start: int, count: int, due_every: int) -> list[dict[str, object]]:
    docs = []
    for i in range(start, start + count):
        due = i % due_every == 0
        due_at = (
            NOW - dt.timedelta(days=1 + i % 300) if due else NOW + dt.timedelta(days=1 + i % 700)
        )
        d = new_application_deadline(
            str(uuid.UUID(int=i)),
            due_at=due_at,
            closed_on=due_at.date() - dt.timedelta(days=760),
            status="returned",
            source=5,
            held=False,
        )
        docs.append(deadline_to_doc(d))
    return docs


async def run_size(
    backends: Backends, stored: int, due: int, batch: int, repeats: int
) -> dict[str, float]:
    settings = RetentionSettings(
        mongo_url=backends.mongo_url,
        kafka_bootstrap=backends.kafka_bootstrap,
        mongo_db=f"retention_bench_{stored}",
        sweep_batch_size=batch,
        consumers_enabled=False,
        outbox_relay_enabled=False,
    )
    client = create_client(settings.mongo_url, "retention-bench")
    db = client.get_database(settings.mongo_db, codec_options=CODEC_OPTIONS)
    await client.drop_database(settings.mongo_db)
    store = RetentionStore(db)
    await store.ensure_indexes()
    service = RetentionService(store, UnitsOfWork(client, Outbox(db)), ManualClock(NOW))

    due_every = stored // due
    started = time.perf_counter()
    chunk = 10_000
    for start in range(0, stored, chunk):
        await store.deadlines.insert_many(
            _deadline_docs(start, min(chunk, stored - start), due_every)
        )
    load_seconds = time.perf_counter() - started
    print(f"  loaded {stored:,} deadlines ({due:,} due) in {load_seconds:.1f}s", flush=True)
    originals = [
        doc for i in range(0, stored, due_every) for doc in _deadline_docs(i, 1, due_every)
    ]

    # Nothing due yet: what a routine sweep costs on a store of this size.
    quiet = Sweeper(
        service,
        ManualClock(NOW - dt.timedelta(days=400)),
        policy=settings.retry_policy,
        batch_size=batch,
        interval_seconds=1,
    )
    empties = [(await quiet.sweep_once()).seconds for _ in range(5)]

    sweeps: list[SweepResult] = []
    for run in range(repeats):
        if run:  # put the due deadlines back as they were, drop the orders
            await store.deadlines.bulk_write([ReplaceOne({"_id": d["_id"]}, d) for d in originals])
            await store.ledger.delete_many({})
            await db["outbox"].delete_many({})
        sweeper = Sweeper(
            service,
            ManualClock(NOW),
            policy=settings.retry_policy,
            batch_size=batch,
            interval_seconds=1,
        )
        result = await sweeper.sweep_once()
        assert result.ordered == due, (result.ordered, due)
        sweeps.append(result)
        print(
            f"  sweep {run + 1}: {result.seconds:.2f}s (finding due {result.read_seconds:.2f}s)",
            flush=True,
        )

    runtime = ServiceRuntime(settings)
    await runtime.start()  # creates topics, connects the producer; relay and consumers off
    started = time.perf_counter()
    published = 0
    while sent := await runtime.relay.publish_pending():
        published += sent
    relay_seconds = time.perf_counter() - started
    await runtime.stop()
    assert published == due, (published, due)
    await client.drop_database(settings.mongo_db)
    await client.close()
    sweep_s = statistics.median(r.seconds for r in sweeps)
    return {
        "stored": stored,
        "due": due,
        "empty_sweep_ms": statistics.median(empties) * 1000,
        "read_s": statistics.median(r.read_seconds for r in sweeps),
        "sweep_s": sweep_s,
        "orders_per_s": due / sweep_s,
        "relay_s": relay_seconds,
        "published_per_s": published / relay_seconds,
    }


async def main_async(sizes: list[int], due: int, batch: int, repeats: int) -> BenchResult:
    # A development tool: the embedded servers come from the workspace's tools.
    from edu_tools.backends import Backends

    with tempfile.TemporaryDirectory(prefix="retention-bench-") as tmp:
        backends = Backends.on_free_ports(Path(tmp))
        with backends:
            rows = []
            for stored in sizes:
                print(f"store of {stored:,} deadlines:", flush=True)
                rows.append(await run_size(backends, stored, due, batch, repeats))
    print()
    print(f"medians of {repeats} sweeps; the relay publishes the last sweep's orders to Kafka")
    print(
        f"{'stored':>10} {'due':>7} {'empty sweep':>12} {'find due':>9} {'sweep':>8} "
        f"{'orders/s':>9} {'relay':>8} {'published/s':>12}"
    )
    for r in rows:
        print(
            f"{int(r['stored']):>10,} {int(r['due']):>7,} {r['empty_sweep_ms']:>10.1f}ms "
            f"{r['read_s']:>8.2f}s {r['sweep_s']:>7.2f}s {r['orders_per_s']:>9,.0f} "
            f"{r['relay_s']:>7.2f}s {r['published_per_s']:>12,.0f}"
        )
    small, large = rows[0], rows[-1]
    ratio = large["sweep_s"] / small["sweep_s"]
    ok = ratio <= SCALE_BUDGET
    print(
        f"\nsweep time {int(large['stored']):,} vs {int(small['stored']):,} stored, same number "
        f"due: x{ratio:.2f} (budget x{SCALE_BUDGET}) -> {'OK' if ok else 'OVER BUDGET'}"
    )
    figures = [
        Figure(
            name="retention: sweep time, largest vs smallest store",
            value=ratio,
            unit="x",
            direction=LOWER,
            budget=SCALE_BUDGET,
        )
    ]
    for r in rows:
        size = f"{int(r['stored']):,} stored, {int(r['due']):,} due"
        figures += [
            Figure(name=f"retention: sweep, {size}", value=r["sweep_s"], unit="s", direction=LOWER),
            Figure(
                name=f"retention: empty sweep, {size}",
                value=r["empty_sweep_ms"],
                unit="ms",
                direction=LOWER,
            ),
            Figure(
                name=f"retention: relay, {size}",
                value=r["published_per_s"],
                unit="/s",
                direction=HIGHER,
            ),
        ]
    return BenchResult(bench="retention", exit_code=0 if ok else 1, figures=figures)


def main(argv: list[str] | None = None) -> BenchResult:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default="100000,1000000", help="Store sizes, comma-separated (ascending)."
    )
    parser.add_argument("--due", type=int, default=10_000, help="Due deadlines in every store.")
    parser.add_argument("--batch", type=int, default=500, help="Deadlines per sweep transaction.")
    parser.add_argument("--repeats", type=int, default=3, help="Sweeps per size (median).")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if any(s < args.due for s in sizes):
        parser.error("every size must be at least --due")
    return asyncio.run(main_async(sizes, args.due, args.batch, args.repeats))


if __name__ == "__main__":
    sys.exit(main().exit_code)
