"""The portal as it runs (``python -m edu_portal``), like every service: each
line it writes is JSON (its own, uvicorn's, Litestar's), and ``/metrics`` counts
its pages by route template (never the path itself), without health checks or
static files."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from edu_tools.backends import Backends, free_port, spawn
from edu_tools.testing import eventually

pytestmark = pytest.mark.slow


async def test_the_portal_logs_json_and_counts_its_pages(
    edu_backends: Backends, tmp_path: Path
) -> None:
    port = free_port()
    log_path = tmp_path / "portal.log"
    env = {
        **os.environ,
        "EDU_MONGO_URL": edu_backends.mongo_url,
        "EDU_DATA_DIR": str(tmp_path),
        "EDU_PORTAL_HTTP_PORT": str(port),
        "EDU_PORTAL_MONGO_DB": f"edu_portal_logs_{uuid.uuid4().hex[:8]}",
        "EDU_PORTAL_SIGN_IN": "stand-in",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    child = spawn("portal", [sys.executable, "-m", "edu_portal"], log_path=log_path, env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5.0) as client:

            async def ready() -> bool:
                assert child.proc.poll() is None, log_path.read_text()
                try:
                    return (await client.get("/health/ready")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(ready, timeout=60, interval=0.2)
            assert (await client.get("/")).status_code == 200
            assert (await client.get("/mani-dati/")).status_code == 200
            assert (await client.get("/nav-tadas-lapas-123456-12345")).status_code == 404
            assert (await client.get("/static/portal.css")).status_code == 200
            scrape = await client.get("/metrics")
            assert scrape.status_code == 200
            assert scrape.headers["content-type"].startswith("text/plain")
    finally:
        child.proc.send_signal(signal.SIGTERM)  # a graceful stop logs too
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(child.proc.wait, 15)
        child.stop()

    counted = [
        line
        for line in scrape.text.splitlines()
        if line.startswith("http_server_request_duration_seconds_count{")
    ]
    routes = {line.split('http_route="')[1].split('"')[0] for line in counted}
    assert {"/", "/mani-dati"} <= routes, counted  # Litestar drops the trailing slash
    # No personal code or unknown path in a label; probes and static files not counted.
    assert "123456-12345" not in scrape.text
    assert not any(r.startswith(("/health", "/static", "/metrics")) for r in routes), routes

    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    assert lines
    loggers = set()
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
        assert {"ts", "level", "service", "logger", "msg"} <= set(entry), line
        assert entry["service"] == "portal"
        loggers.add(entry["logger"])
    assert any(name.startswith("uvicorn") for name in loggers), loggers
    assert "\x1b[" not in log_path.read_text()
