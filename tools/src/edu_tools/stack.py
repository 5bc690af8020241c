"""``edu up``: the whole system on one machine, in the foreground.

Starts the embedded Kafka and MongoDB servers, loads synthetic registry data
when the register is empty, starts the four services, waits until each one is
ready and prints what to do next. A service that crashes is started again
with backoff (saying so); the others keep running. Ctrl-C (or SIGTERM) stops
everything, services first, leaving no processes behind.

``start_stack`` is how every tool and test that runs services as processes
starts them (``edu up``, ``edu bench …``, ``edu chaos``, the trace-continuity
test): the embedded servers, the chosen services on the chosen ports with one
environment, each one waited for until ready, and the gateway if asked for.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from edu_tools.backends import Backends, ChildProcess, free_port, spawn
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
SPECS = {spec.name: spec for spec in (*SERVICES, PORTAL, NOTIFICATIONS)}
READY_TIMEOUT = 90.0


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def free_ports(*names: str) -> dict[str, int]:
    """A free port for each of ``names``."""
    return {name: free_port() for name in names}


@dataclass
class RunningStack:
    """What ``start_stack`` started; ``stop()`` stops it all, newest first."""

    data_dir: Path
    backends: Backends
    ports: dict[str, int]
    env: dict[str, str]
    # In start order: the extra processes, the services, the gateway last.
    children: dict[str, ChildProcess] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return local_url(self.ports[name])

    def log_path(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.log_path(name)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    @property
    def gateway(self) -> ChildProcess | None:
        return self.children.get("gateway")

    def stop(self) -> None:
        for child in reversed(list(self.children.values())):
            child.stop()
        self.backends.stop()


# How a service is started: given its name and how to spawn it, start it (a
# supervisor may keep the spawner to start it again) and return the process.
Launch = Callable[[str, Callable[[], ChildProcess]], ChildProcess]


def _launch_once(name: str, start: Callable[[], ChildProcess]) -> ChildProcess:
    return start()


def stack_env(
    data_dir: Path,
    backends: Backends,
    ports: Mapping[str, int],
    overrides: Mapping[str, str | None] | None = None,
    *,
    mongo_db_prefix: str | None = None,
) -> dict[str, str]:
    """This process's environment, the servers', and each service's port (and
    with ``mongo_db_prefix`` a database of its own, ``<prefix>_<service>_<random>``);
    then ``overrides`` (None: removed)."""
    env = dict(os.environ)
    env.update(
        {
            "EDU_DATA_DIR": str(data_dir),
            "EDU_KAFKA_BOOTSTRAP": backends.kafka_bootstrap,
            "EDU_MONGO_URL": backends.mongo_url,
        }
    )
    suffix = uuid.uuid4().hex[:6]
    for name, port in ports.items():
        prefix = SPECS[name].env_prefix
        env[f"{prefix}HTTP_PORT"] = str(port)
        if mongo_db_prefix:
            env[f"{prefix}MONGO_DB"] = f"{mongo_db_prefix}_{name.replace('-', '_')}_{suffix}"
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def start_stack(
    data_dir: Path,
    ports: Mapping[str, int],
    *,
    env: Mapping[str, str | None] | None = None,
    mongo_db_prefix: str | None = None,
    backends: Backends | None = None,
    before_services: Callable[[Backends], Mapping[str, ChildProcess] | None] | None = None,
    launch: Launch = _launch_once,
    ready_timeout: float | None = READY_TIMEOUT,
    on_ready: Callable[[str, int], None] | None = None,
    gateway_port: int | None = None,
) -> RunningStack:
    """The embedded Kafka and MongoDB, then the services named in ``ports``
    (``SPECS``), each as ``python -m <module>`` logging to
    ``<data_dir>/logs/<name>.log``, on its port.

    - ``env``, ``mongo_db_prefix``: see ``stack_env``;
    - ``backends``: the servers (not yet started); by default on free ports;
    - ``before_services``: runs once the servers are up (loads data, starts
      what the services need); the processes it returns are stopped with the
      stack, after the services;
    - ``launch``: how each service is started (``edu chaos``: supervised);
    - ``ready_timeout``: how long to wait for every service's /health/ready
      (None: not waited for); ``on_ready(name, port)`` is told of each;
    - ``gateway_port``: nginx there too, once the services are ready, routing
      to the services of ``ports`` (``gateway_nginx.start_local``).

    Whatever was started is stopped again if the start fails.
    """
    if backends is None:
        backends = Backends.on_free_ports(data_dir)
    stack = RunningStack(
        data_dir,
        backends,
        dict(ports),
        stack_env(data_dir, backends, ports, env, mongo_db_prefix=mongo_db_prefix),
    )
    try:
        backends.start()
        if before_services is not None:
            stack.children.update(before_services(backends) or {})
        for name in ports:
            argv = [sys.executable, "-m", SPECS[name].module]

            def start(name: str = name, argv: list[str] = argv) -> ChildProcess:
                return spawn(name, argv, log_path=stack.log_path(name), env=stack.env)

            stack.children[name] = launch(name, start)
        if ready_timeout is not None:
            wait_ready(stack, ready_timeout, on_ready)
        if gateway_port is not None:
            from edu_tools.gateway_nginx import start_local

            stack.children["gateway"] = start_local(data_dir, dict(ports), gateway_port)
            stack.ports["gateway"] = gateway_port
            if on_ready is not None:
                on_ready("gateway", gateway_port)
    except BaseException:
        stack.stop()
        raise
    return stack


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def local_env(data_dir: Path) -> dict[str, str]:
    """What ``edu up`` sets besides ``stack_env``'s: traces to a file, the
    services' addresses, the sign-in stand-in, the local mailbox."""
    return {
        "EDU_TRACES_FILE": str(data_dir / "traces.jsonl"),
        "EDU_REGISTRY_URL": local_url(SPECS["registry-reader"].port),
        "EDU_DOCUMENTS_URL": local_url(SPECS["documents"].port),
        # Local use: the sign-in stand-in, asked for explicitly (the
        # portal refuses it unless on loopback; its default is OIDC).
        "EDU_PORTAL_SIGN_IN": "stand-in",
        "EDU_NOTIFICATIONS_SMTP_PORT": str(SMTP_PORT),
        "EDU_NOTIFICATIONS_PORTAL_ADDRESS": local_url(GATEWAY_PORT),
        "PYTHONUNBUFFERED": "1",
    }


def wait_ready(
    stack: RunningStack, timeout: float, on_ready: Callable[[str, int], None] | None = None
) -> None:
    """Until every service of the stack answers /health/ready with 200; fails
    (with the end of its log) as soon as one exits."""
    deadline = time.monotonic() + timeout
    pending = {name: port for name, port in stack.ports.items() if name in SPECS}
    while pending:
        for name, port in list(pending.items()):
            child = stack.children[name]
            if child.proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {child.proc.returncode}; see its log:\n"
                    + stack.log_tail(name)
                )
            try:
                r = httpx.get(f"{local_url(port)}/health/ready", timeout=1.0)
                if r.status_code == 200:
                    del pending[name]
                    if on_ready is not None:
                        on_ready(name, port)
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {name}\n{stack.log_tail(name)}" for name in pending)
            raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(pending)}\n{tails}")
        time.sleep(0.2)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(  # noqa: PLR0915 - the start, the supervision, the stop
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
    stack: RunningStack | None = None
    observers: list[ChildProcess] = []  # Prometheus: its exit does not stop the system
    stopping = False

    def stop_all(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        console.print("\nstopping…")
        for child in observers:
            child.stop()
        if stack is not None:
            stack.stop()
        console.print("stopped.")

    def before_services(backends: Backends) -> dict[str, ChildProcess]:
        console.print(
            f"  [green]✓[/] Kafka (Tansu) on {backends.kafka_bootstrap}, "
            f"MongoDB (nx-27017) on 127.0.0.1:{backends.mongo_port}"
        )
        if seed:
            seed(backends)
        if prometheus:
            observers.extend(start_prometheus(console, data_dir))
        write_people_directory(console, backends, data_dir)
        mail = start_mail_server(data_dir)
        console.print(
            f"  [green]✓[/] mailbox (SMTP) on 127.0.0.1:{SMTP_PORT}, read with `edu mail list`"
        )
        return {"mail": mail}

    def on_ready(name: str, port: int) -> None:
        if name == "gateway":
            console.print(f"  [green]✓[/] gateway (nginx) on http://127.0.0.1:{port}")
        else:
            console.print(f"  [green]✓[/] {name} ready on :{port}")

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        console.print(f"[bold]edu up[/] — data in {data_dir}/, logs in {data_dir}/logs/")
        with console.status("starting…"):
            stack = start_stack(
                data_dir,
                {spec.name: spec.port for spec in (*SERVICES, PORTAL, NOTIFICATIONS)},
                env=local_env(data_dir),
                backends=Backends(data_dir),  # Kafka on 9092, MongoDB on 27017
                before_services=before_services,
                ready_timeout=ready_timeout,
                on_ready=on_ready,
                gateway_port=GATEWAY_PORT,
            )
        print_next_steps(console, time.monotonic() - started)
        # Like compose's restart policy: a crashed child is started again with
        # backoff (edu_tools.supervisor), and the others keep running.
        children = stack.children
        supervised = [
            Supervised(
                name,
                same_again(child, None if name in {"gateway", "mail"} else stack.env),
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
