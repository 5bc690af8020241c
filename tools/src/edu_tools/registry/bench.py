"""Benchmark (not a test): latency of "My data" (``GET /api/v1/my-data``, and
``POST /api/v1/my-data/query`` about a child) at a steady rate.

``edu registry bench``:
1. starts its own embedded Kafka and MongoDB with data in ``--data-dir``
   (default ``.edu/bench``), and loads ``--learners`` synthetic learners unless
   that many are already loaded there (the load is reused across runs);
2. starts the service as a separate process, as in production;
3. signs in ~1,000 citizens (70 % asking about themselves, 30 % parents asking
   about a minor child), accepts the terms for each;
4. sends requests open-loop at ``--rate`` per second for ``--duration`` seconds
   after a warm-up, and prints p50/p95/p99 against the budget p99 <= 50 ms.

Latency is measured from each request's *scheduled* start, so a stalled
server cannot hide its queueing behind a slower request rate (no coordinated
omission).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from edu_registry_reader.adapters import loader
from edu_registry_reader.domain import rules
from edu_registry_reader.domain.records import PersonRecord, RepresentationRecord

from edu_tools.bench_record import LOWER, BenchResult, Figure
from edu_tools.registry.seeding import DEFAULT_SEED, load_synthetic

BUDGET_P99_MS = 50.0
DB_NAME = "edu_registry_reader_bench"
WARM_UP_SECONDS = 5.0
CALLERS = 1000


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc): what a request
    costs, independent of what else the machine is busy with."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _plan(db: Any, on: dt.date, rng: random.Random) -> list[tuple[PersonRecord, str | None]]:
    """(caller, person_code or None for self) pairs spread over the register."""
    selves = [
        PersonRecord.from_doc(d)
        for d in db.persons.find({"registered_in_viis": True}).limit(60_000)
    ]
    pairs: list[tuple[PersonRecord, str | None]] = [
        (p, None) for p in rng.sample(selves, min(len(selves), int(CALLERS * 0.7)))
    ]
    wanted = CALLERS - len(pairs)
    relations = [
        RepresentationRecord.from_doc(d)
        for d in db.representations.find({"basis": "minor_child"}).limit(30_000)
    ]
    rng.shuffle(relations)
    for rel in relations:
        if wanted <= 0:
            break
        child = db.persons.find_one({"_id": rel.represented_code})
        parent = db.persons.find_one({"_id": rel.representative_code})
        if child is None or parent is None:
            continue
        if rules.representation_valid_on(rel, PersonRecord.from_doc(child).birth_date, on):
            pairs.append((PersonRecord.from_doc(parent), rel.represented_code))
            wanted -= 1
    rng.shuffle(pairs)
    return pairs


def _ensure_loaded(mongo_url: str, learners: int, on: dt.date) -> None:
    client, db = loader.connect(mongo_url, DB_NAME)
    try:
        meta = db[loader.META].find_one({"_id": "seed"})
    finally:
        client.close()
    if meta and meta.get("learners", 0) >= learners:
        print(
            f"reusing the loaded register: {meta.get('learners')} learners ({meta.get('counts')})"
        )
        return
    print(f"loading {learners} synthetic learners (once; reused by later runs)…")
    started = time.monotonic()
    counts = load_synthetic(
        mongo_url, DB_NAME, learners=learners, seed=DEFAULT_SEED, as_of=on, show=True
    )
    print(f"loaded {sum(counts.values())} records in {time.monotonic() - started:.0f}s: {counts}")


async def _wait_ready(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base_url) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the service exited with {proc.returncode}")
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("the service did not become ready")


class _Connection:
    """A keep-alive HTTP/1.1 connection speaking just enough of the protocol
    for GET: the load generator shares two cores with the service and the
    database, so it must cost far less per request than they do (httpx
    costs about as much as the service itself)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def get(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


def _request(host: str, port: int, headers: dict[str, str], about: str | None) -> bytes:
    """One's own data (``GET /api/v1/my-data``) or a child's, the code in the
    body (``POST /api/v1/my-data/query``): never in the address."""
    if about is None:
        lines, body = ["GET /api/v1/my-data HTTP/1.1"], b""
    else:
        body = json.dumps({"person_code": about}).encode()
        lines = ["POST /api/v1/my-data/query HTTP/1.1", "Content-Type: application/json"]
        lines.append(f"Content-Length: {len(body)}")
    lines.append(f"Host: {host}:{port}")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _drive(
    host: str,
    port: int,
    plan: list[bytes],
    rate: float,
    duration: float,
    connections: int = 64,
) -> tuple[list[float], list[float], int, float]:
    """Open-loop load: request i starts at t0 + i/rate whatever happened
    before; a request waiting for a free connection counts that wait."""
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await _Connection.open(host, port))
    latencies: list[float] = []
    service_times: list[float] = []
    errors = 0
    loop = asyncio.get_running_loop()

    async def one(i: int, scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        sent = loop.time()
        try:
            status = await conn.get(plan[i % len(plan)])
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 0
            conn.close()
            conn = await _Connection.open(host, port)
        done = loop.time()
        pool.put_nowait(conn)
        if status != 200:
            errors += 1
        latencies.append((done - scheduled) * 1000)
        service_times.append((done - sent) * 1000)

    total = int(rate * duration)
    tasks = []
    start = loop.time() + 0.05
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    while not pool.empty():
        pool.get_nowait().close()
    return latencies, service_times, errors, elapsed


async def _measure(
    base_url: str,
    proc: subprocess.Popen[bytes],
    plan: list[tuple[PersonRecord, str | None]],
    gateway: Any,
    rate: float,
    duration: float,
    cpu_of: dict[str, int],
) -> tuple[list[float], list[float], int, float]:
    await _wait_ready(base_url, proc)
    host, port = "127.0.0.1", int(base_url.rsplit(":", 1)[1])
    requests: list[bytes] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as http:
        for caller, about in plan:
            token = gateway.mint(
                caller.personal_code,
                given_name=caller.given_name,
                family_name=caller.family_name,
                ttl=dt.timedelta(hours=2),
            )
            headers = {"Authorization": f"Bearer {token}"}
            await http.post("/api/v1/terms/my-data/acceptance", json={}, headers=headers)
            requests.append(_request(host, port, headers, about or None))
    print(
        f"{len(requests)} callers ({sum(1 for _, about in plan if about)} about a child); "
        f"warm-up {WARM_UP_SECONDS:.0f}s, then {duration:.0f}s at {rate:.0f} req/s"
    )
    await _drive(host, port, requests, rate, WARM_UP_SECONDS)
    before = {pid: _cpu_seconds(pid) for pid in cpu_of.values()}
    result = await _drive(host, port, requests, rate, duration)
    for name, pid in cpu_of.items():
        used = _cpu_seconds(pid) - before[pid]
        print(f"CPU of {name}: {used / len(result[0]) * 1000:.2f} ms per request")
    return result


def run(*, learners: int, rate: float, duration: float, data_dir: Path) -> BenchResult:
    from edu_tools.backends import Backends, free_port
    from edu_tools.gateway import GatewayKeys

    on = rules.today_in_latvia(dt.datetime.now(dt.UTC))
    data_dir.mkdir(parents=True, exist_ok=True)
    gateway = GatewayKeys(data_dir).ensure()
    with Backends.on_free_ports(data_dir) as backends:
        _ensure_loaded(backends.mongo_url, learners, on)
        client, db = loader.connect(backends.mongo_url, DB_NAME)
        try:
            plan = _plan(db, on, random.Random(42))  # noqa: S311 - not security
        finally:
            client.close()
        port = free_port()
        env = {
            **os.environ,
            "EDU_MONGO_URL": backends.mongo_url,
            "EDU_KAFKA_BOOTSTRAP": backends.kafka_bootstrap,
            "EDU_DATA_DIR": str(data_dir),
            "EDU_LOG_LEVEL": "WARNING",
            "EDU_REGISTRY_READER_HTTP_PORT": str(port),
            "EDU_REGISTRY_READER_MONGO_DB": DB_NAME,
        }
        with (data_dir / "registry-reader.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "edu_registry_reader"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                mongo_pid = next(c.proc.pid for c in backends.children if c.name == "mongodb")
                load_before = os.getloadavg()[0]
                latencies, service, errors, elapsed = asyncio.run(
                    _measure(
                        f"http://127.0.0.1:{port}",
                        proc,
                        plan,
                        gateway,
                        rate,
                        duration,
                        {"registry-reader": proc.pid, "MongoDB (nx-27017)": mongo_pid},
                    )
                )
                load_after = os.getloadavg()[0]
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    p50, p95, p99 = (_quantile(latencies, q) for q in (0.50, 0.95, 0.99))
    verdict = "PASS" if p99 <= BUDGET_P99_MS and errors == 0 else "FAIL"
    print(
        f"GET /api/v1/my-data: {len(latencies)} requests in {elapsed:.1f}s "
        f"({len(latencies) / elapsed:.1f} req/s), errors {errors}\n"
        f"latency from scheduled start (ms): p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  "
        f"max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}\n"
        f"latency from send (ms):            p50 {_quantile(service, 0.5):.1f}  "
        f"p95 {_quantile(service, 0.95):.1f}  p99 {_quantile(service, 0.99):.1f}\n"
        f"machine load average (1 min) before/after: {load_before:.2f}/{load_after:.2f} "
        f"on {os.cpu_count()} CPUs\n"
        f"budget: p99 <= {BUDGET_P99_MS:.0f} ms at 200 req/s"
        f"{'' if rate == 200 else f' (this run: {rate:.0f} req/s)'} -> {verdict}"
    )
    figures = [
        Figure(
            name=f"registry: my-data API p{q * 100:.0f}",
            value=v,
            unit="ms",
            direction=LOWER,
            budget=BUDGET_P99_MS if q == 0.99 else None,
        )
        for q, v in ((0.50, p50), (0.95, p95), (0.99, p99))
    ]
    figures.append(
        Figure(
            name="registry: my-data API errors",
            value=errors,
            unit="requests",
            direction=LOWER,
            budget=0,
        )
    )
    return BenchResult(bench="registry", exit_code=0 if verdict == "PASS" else 1, figures=figures)
