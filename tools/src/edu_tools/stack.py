"""``edu up``: the whole system on one machine, in the foreground.

Starts the embedded Kafka and MongoDB servers, loads synthetic registry data
when the register is empty, starts the four services, waits until each one is
ready and prints what to do next. A service that crashes is started again
with backoff (saying so); the others keep running. Ctrl-C (or SIGTERM) stops
everything, services first, leaving no processes behind.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from edu_tools.backends import Backends, ChildProcess, spawn
from edu_tools.gateway import GatewayKeys
from edu_tools.mail import SMTP_PORT
from edu_tools.mail import start_server as start_mail_server
from edu_tools.supervisor import Supervised, same_again


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int
    env_prefix: str


SERVICES = (
    ServiceSpec("registry-reader", "edu_registry_reader", 8101, "EDU_REGISTRY_READER_"),
    ServiceSpec("applications", "edu_applications", 8102, "EDU_APPLICATIONS_"),
    ServiceSpec("documents", "edu_documents", 8103, "EDU_DOCUMENTS_"),
    ServiceSpec("retention", "edu_retention", 8104, "EDU_RETENTION_"),
)
# The citizen pages and the gateway in front of everything. Not in SERVICES:
# those are the back-end services (an OpenAPI document, Kafka, a deploy/
# manifest each), which the deploy tests iterate.
PORTAL = ServiceSpec("portal", "edu_portal", 8105, "EDU_PORTAL_")
# E-mail to applicants, delivered locally to the mailbox `edu up` runs
# (edu_tools.mail; read with `edu mail`). Not in SERVICES: no API behind the
# gateway, no OpenAPI document.
NOTIFICATIONS = ServiceSpec("notifications", "edu_notifications", 8106, "EDU_NOTIFICATIONS_")
GATEWAY_PORT = 8080


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def service_env(data_dir: Path, backends: Backends) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "EDU_DATA_DIR": str(data_dir),
            "EDU_KAFKA_BOOTSTRAP": backends.kafka_bootstrap,
            "EDU_MONGO_URL": backends.mongo_url,
            "EDU_TRACES_FILE": str(data_dir / "traces.jsonl"),
            "EDU_REGISTRY_URL": "http://127.0.0.1:8101",
            "EDU_DOCUMENTS_URL": "http://127.0.0.1:8103",
            # Local use: the sign-in stand-in, asked for explicitly (the
            # portal refuses it unless on loopback; its default is OIDC).
            "EDU_PORTAL_SIGN_IN": "stand-in",
            "EDU_NOTIFICATIONS_SMTP_PORT": str(SMTP_PORT),
            "EDU_NOTIFICATIONS_PORTAL_ADDRESS": f"http://127.0.0.1:{GATEWAY_PORT}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def wait_ready(console: Console, children: dict[str, ChildProcess], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = {s.name: s for s in (*SERVICES, PORTAL, NOTIFICATIONS)}
    with console.status("waiting for the services to be ready…"):
        while pending:
            for name, spec in list(pending.items()):
                child = children[name]
                if child.proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {child.proc.returncode}; see its log")
                try:
                    r = httpx.get(f"http://127.0.0.1:{spec.port}/health/ready", timeout=1.0)
                    if r.status_code == 200:
                        console.print(f"  [green]✓[/] {name} ready on :{spec.port}")
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(pending)}")
            time.sleep(0.2)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(
    data_dir: Path,
    seed: Callable[[Backends], None] | None,
    ready_timeout: float = 90.0,
    *,
    prometheus: bool = True,
) -> int:
    console = Console()
    started = time.monotonic()
    ports = (
        9092,
        27017,
        *(s.port for s in SERVICES),
        PORTAL.port,
        NOTIFICATIONS.port,
        GATEWAY_PORT,
        SMTP_PORT,
    )
    busy = [p for p in ports if _port_busy(p)]
    if busy:
        console.print(
            f"[red]Ports already in use: {', '.join(map(str, busy))}.[/] Is another `edu up` "
            "running? Stop it, or free those ports."
        )
        return 1
    data_dir.mkdir(parents=True, exist_ok=True)
    GatewayKeys(data_dir).ensure()
    backends = Backends(data_dir)
    children: dict[str, ChildProcess] = {}
    observers: list[ChildProcess] = []  # Prometheus: its exit does not stop the system
    stopping = False

    def stop_all(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        console.print("\nstopping…")
        for child in [*observers, *reversed(list(children.values()))]:
            child.stop()
        backends.stop()
        console.print("stopped.")

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        console.print(f"[bold]edu up[/] — data in {data_dir}/, logs in {data_dir}/logs/")
        backends.start()
        console.print(
            f"  [green]✓[/] Kafka (Tansu) on {backends.kafka_bootstrap}, "
            f"MongoDB (nx-27017) on 127.0.0.1:{backends.mongo_port}"
        )
        if seed:
            seed(backends)
        if prometheus:
            observers.extend(start_prometheus(console, data_dir))
        write_people_directory(console, backends, data_dir)
        env = service_env(data_dir, backends)
        children["mail"] = start_mail_server(data_dir)
        console.print(
            f"  [green]✓[/] mailbox (SMTP) on 127.0.0.1:{SMTP_PORT}, read with `edu mail list`"
        )
        for spec in (*SERVICES, PORTAL, NOTIFICATIONS):
            children[spec.name] = spawn(
                spec.name,
                [sys.executable, "-m", spec.module],
                log_path=data_dir / "logs" / f"{spec.name}.log",
                env=env,
            )
        wait_ready(console, children, ready_timeout)
        children["gateway"] = start_gateway(console, data_dir)
        print_next_steps(console, time.monotonic() - started)
        # Like compose's restart policy: a crashed child is started again with
        # backoff (edu_tools.supervisor), and the others keep running.
        supervised = [
            Supervised(
                name,
                same_again(child, None if name in {"gateway", "mail"} else env),
                lambda message: console.print(f"[yellow]{message}[/]"),
                child,
            )
            for name, child in children.items()
        ]
        while True:
            for entry in supervised:
                entry.poll()
                if entry.child is not None:
                    children[entry.name] = entry.child
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        console.print(f"[red]edu up failed:[/] {exc}")
        return 1
    finally:
        stop_all()


def write_people_directory(console: Console, backends: Backends, data_dir: Path) -> None:
    """The sign-in stand-in offers people of the loaded registers."""
    from edu_tools.people_directory import export
    from edu_tools.registry.seeding import target

    url, name = target(backends.mongo_url, None)
    count = export(url, name, data_dir / "people.json")
    console.print(f"  [green]✓[/] sign-in stand-in: {count} people of the registers")


def start_gateway(console: Console, data_dir: Path) -> ChildProcess:
    """nginx on :8080 in front of the portal and the APIs (edu_tools.gateway_nginx)."""
    from edu_tools.gateway_nginx import start_local

    ports = {spec.name: spec.port for spec in SERVICES if spec.name != "retention"}
    child = start_local(data_dir, {**ports, PORTAL.name: PORTAL.port}, GATEWAY_PORT)
    console.print(f"  [green]✓[/] gateway (nginx) on http://127.0.0.1:{GATEWAY_PORT}")
    return child


def start_prometheus(console: Console, data_dir: Path) -> list[ChildProcess]:
    """Debian's Prometheus with deploy/'s scrape configuration and alert rules
    (edu_tools.prometheus), if it is installed and its port is free."""
    from edu_tools import prometheus as prom

    if prom.binary() is None:
        console.print(
            "  [yellow]![/] Prometheus is not installed (scripts/bootstrap.sh installs it)"
        )
        return []
    if _port_busy(prom.DEFAULT_PORT):
        console.print(f"  [yellow]![/] port {prom.DEFAULT_PORT} is in use: Prometheus not started")
        return []
    child = prom.start(data_dir)
    console.print(
        f"  [green]✓[/] Prometheus on http://127.0.0.1:{prom.DEFAULT_PORT} "
        "(every service's /metrics, deploy/prometheus alert rules)"
    )
    return [child]


def print_next_steps(console: Console, elapsed: float) -> None:
    table = Table(title=f"Everything is ready ({elapsed:.1f}s)")
    for column in ("service", "HTTP", "OpenAPI"):
        table.add_column(column)
    table.add_row("gateway: pages + APIs", f"http://127.0.0.1:{GATEWAY_PORT}", "")
    for spec in SERVICES:
        base = f"http://127.0.0.1:{spec.port}"
        table.add_row(spec.name, base, f"{base}/schema/swagger")
    table.add_row(PORTAL.name, f"http://127.0.0.1:{PORTAL.port}", "")
    table.add_row(NOTIFICATIONS.name, f"http://127.0.0.1:{NOTIFICATIONS.port}", "")
    table.add_row("mailbox (SMTP)", f"127.0.0.1:{SMTP_PORT}", "edu mail list")
    console.print(table)
    console.print(
        f"Open http://127.0.0.1:{GATEWAY_PORT} in a browser and sign in as one of the "
        "people offered.\n"
        "Or call the APIs, in another terminal (see README.md):\n"
        "  CODE=$(.venv/bin/edu registry sample --kind parent-with-minor | python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[\"personal_code\"])')\n"
        "  TOKEN=$(.venv/bin/edu token --sub $CODE)\n"
        '  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8101/api/v1/represented-persons\n'
        "Ctrl-C stops everything.",
        soft_wrap=True,
        highlight=False,
    )
