"""Every log line a service writes is JSON, its own and every library's
(uvicorn, FastStream, aiokafka …), as the service runs locally and in the
images (``python -m edu_<service>``): a service process is started on the real
embedded servers, made to log at start, on requests, on a dead letter and at
shutdown, and its whole output is read back."""

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
from aiokafka import AIOKafkaProducer
from edu_contracts import topics
from edu_tools.backends import Backends, free_port, spawn
from edu_tools.testing import eventually

pytestmark = pytest.mark.slow


async def test_every_line_a_service_writes_is_json(edu_backends: Backends, tmp_path: Path) -> None:
    port = free_port()
    unique = uuid.uuid4().hex[:8]
    log_path = tmp_path / "documents.log"
    env = {
        **os.environ,
        "EDU_KAFKA_BOOTSTRAP": edu_backends.kafka_bootstrap,
        "EDU_MONGO_URL": edu_backends.mongo_url,
        "EDU_DATA_DIR": str(tmp_path),
        "EDU_DOCUMENTS_HTTP_PORT": str(port),
        "EDU_DOCUMENTS_MONGO_DB": f"edu_documents_logs_{unique}",
        "EDU_DOCUMENTS_CONSUMER_GROUP": f"documents-logs-{unique}",
        "EDU_CONSUMER_RETRY_BACKOFF_SECONDS": "0.05",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    child = spawn("documents", [sys.executable, "-m", "edu_documents"], log_path=log_path, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5.0) as client:

            async def ready() -> bool:
                assert child.proc.poll() is None, log_path.read_text()
                try:
                    return (await client.get("/health/ready")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(ready, timeout=60, interval=0.2)
            assert (await client.get("/nowhere")).status_code == 404
            assert (await client.get("/metrics")).status_code == 200
            # A command documents cannot parse: not retried, dead-lettered at once.
            producer = AIOKafkaProducer(bootstrap_servers=edu_backends.kafka_bootstrap)
            await producer.start()
            try:
                await producer.send_and_wait(
                    topics.DOCUMENT_COMMANDS, b"\x1b[31mnot json", key=b"k"
                )
            finally:
                await producer.stop()

            async def dead_lettered() -> bool:
                return "message dead-lettered" in log_path.read_text()

            await eventually(dead_lettered, timeout=30, interval=0.2)
    finally:
        child.proc.send_signal(signal.SIGTERM)  # a graceful stop logs too
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(child.proc.wait, 15)
        child.stop()

    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    assert len(lines) > 5
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
        assert {"ts", "level", "service", "logger", "msg"} <= set(entry), line
        assert entry["service"] == "documents"
        entries.append(entry)
    loggers = {e["logger"] for e in entries}
    assert any(name.startswith("faststream") for name in loggers), loggers
    assert any(name.startswith("uvicorn") for name in loggers), loggers
    assert any(e["msg"] == "message dead-lettered" for e in entries)
    assert "\x1b[" not in log_path.read_text()  # no colour codes from any library
