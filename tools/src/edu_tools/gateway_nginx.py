"""The gateway's nginx configuration, from one routing table.

``ROUTES`` says which path prefix goes to which service; ``render`` writes it
as nginx.conf for the local stack (``edu up`` and the browser tests: nginx on
127.0.0.1:8080 in front of the portal and the APIs on their local ports) and
for deploy/ (``deploy/k8s/base/config/nginx.conf``, used by compose and
Kubernetes; ``edu gateway render`` rewrites it and a test checks the committed
file is what this module renders).

At the gateway, for every route: request size limits and timeouts, security
headers on every response (a CSP with no inline script and no remote origin,
frame-ancestors 'none', Referrer-Policy no-referrer, nosniff), a request id
sent on as X-Correlation-Id / X-Request-Id (the services put it in their
traces and events), and an access log without the URI (paths and queries can
carry personal codes). My-data reads and printouts through the API are
rate-limited per bearer token (a JSON 429); the portal's pages are limited per
person by the portal itself (a session cookie is no person: a new session
would be a new bucket), and sign-in (/auth/) here per client address (a 429
page). The deploy variant adds HSTS (TLS ends in front of this gateway).

The configuration itself is the Jinja2 template templates/gateway/nginx.conf.j2,
and the gateway's own error pages are templates/gateway/429.html and 503.html
(package data of edu-tools).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

import jinja2
from edu_runtime.csp import CSP
from edu_runtime.serve import CLIENT_KEEP_ALIVE_SECONDS

from edu_tools.backends import ChildProcess, free_port, spawn, wait_for_port


class Kind(StrEnum):
    API = "api"
    PAGE = "page"


@dataclass(frozen=True)
class Route:
    prefix: str
    upstream: str  # service name (deploy: its cluster DNS name)
    kind: Kind
    rate_limited: bool = False
    comment: str = ""
    # A limit_req zone other than the kind's per-person one (sign-in: per address).
    zone: str | None = None


ROUTES: tuple[Route, ...] = (
    Route("/api/v1/my-data", "registry-reader", Kind.API, True, "My data, printouts, access log"),
    Route("/api/v1/represented-persons", "registry-reader", Kind.API),
    Route("/api/v1/terms/my-data", "registry-reader", Kind.API),
    Route("/api/v1/lookups", "registry-reader", Kind.API, comment="wizard lookups"),
    Route("/api/v1/applications", "applications", Kind.API, comment="citizen wizard, workflow"),
    # Every staff API (applications, inbox, issued items, lending settings).
    Route("/api/v1/staff/", "applications", Kind.API, comment="the schools' staff"),
    Route("/api/v1/terms/resource-applications", "applications", Kind.API),
    Route("/api/v1/documents", "documents", Kind.API, comment="PDFs and their metadata"),
    # My data's pages (/mani-dati/dati, /mani-dati/pdf) are limited per person
    # by the portal (PortalSettings.my_data_reads_per_minute).
    Route("/auth/", "portal", Kind.PAGE, True, "sign-in and sign-out", zone="edu_signin"),
    Route("/", "portal", Kind.PAGE, comment="the citizen (and /skola/ staff) pages"),
)

PORTS = {
    "registry-reader": 8101,
    "applications": 8102,
    "documents": 8103,
    "portal": 8105,
}


# My data reads and printouts per person: 20 a minute, bursts of 10.
RATE = "20r/m"
BURST = 10
# Sign-in per client address: a sign-in is ~5 requests, and a school's
# pupils may share one address.
SIGNIN_RATE = "60r/m"
SIGNIN_BURST = 30
LOCAL_SIGNIN_RATE = "1200r/m"
# HSTS (deploy only: locally the gateway is plain HTTP on loopback).
HSTS = "max-age=31536000; includeSubDomains"

TEMPLATES = "templates/gateway"


def error_page(name: str) -> str:
    """An error page (``templates/gateway/429.html``, ``503.html``) on one line.

    nginx returns it from a single-quoted string (``return 429 '...'``): the
    file's lines are joined with their indentation dropped, so an element's text
    stays on one line of the file.
    """
    text = resources.files("edu_tools").joinpath(TEMPLATES, name).read_text(encoding="utf-8")
    page = "".join(line.strip() for line in text.splitlines())
    if "'" in page:
        raise ValueError(f"{name}: a ' would end nginx's quoted string")
    return page


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("edu_tools", TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - nginx configuration, not HTML
    )


@dataclass(frozen=True)
class Target:
    """Where the configuration runs."""

    listen: str
    upstreams: dict[str, str]  # service → host:port
    pid: str
    temp_dir: str
    access_log: str
    error_log: str
    foreground: bool  # `daemon off;`: the local stack runs nginx as its child
    pages: bool  # route the portal's pages (the local stack has the portal)
    # Strict-Transport-Security: deploy/ is reached over TLS (ended at the
    # ingress); browsers ignore it over plain HTTP, as on the local stack.
    hsts: bool = False
    # Sign-in requests per client address. On the local stack every browser is
    # 127.0.0.1, so one address is everyone (the browser tests sign in dozens
    # of people a minute): there the limit only stops a runaway loop.
    signin_rate: str = SIGNIN_RATE


def deploy_target() -> Target:
    # The portal's pages too: deploy/ runs the portal (deploy/k8s/base/portal.yaml).
    services = {r.upstream for r in ROUTES}
    return Target(
        listen="8080",
        upstreams={name: f"{name}:{PORTS[name]}" for name in sorted(services)},
        # The image's read-only root leaves /tmp (an emptyDir) writable.
        pid="/tmp/nginx.pid",  # noqa: S108
        temp_dir="/tmp",  # noqa: S108
        access_log="/dev/stdout",
        error_log="/dev/stderr",
        foreground=False,
        pages=True,
        hsts=True,
    )


def local_target(run_dir: Path, log_dir: Path, ports: dict[str, int], listen_port: int) -> Target:
    return Target(
        listen=f"127.0.0.1:{listen_port}",
        upstreams={name: f"127.0.0.1:{port}" for name, port in sorted(ports.items())},
        pid=str(run_dir / "nginx.pid"),
        temp_dir=str(run_dir),
        access_log=str(log_dir / "gateway.log"),
        error_log=str(log_dir / "gateway-error.log"),
        foreground=True,
        pages=True,
        signin_rate=LOCAL_SIGNIN_RATE,
    )


@dataclass(frozen=True)
class _Limit:
    zone: str
    burst: int


def _limit(route: Route) -> _Limit | None:
    if not route.rate_limited:
        return None
    zone = route.zone or "edu_api"
    return _Limit(zone, SIGNIN_BURST if zone == "edu_signin" else BURST)


def render(target: Target) -> str:
    """nginx.conf for ``target`` (templates/gateway/nginx.conf.j2)."""
    routes = [r for r in ROUTES if target.pages or r.kind is Kind.API]
    used = {r.upstream for r in routes}
    return (
        _environment()
        .get_template("nginx.conf.j2")
        .render(
            target=target,
            routes=[
                {
                    "prefix": r.prefix,
                    "upstream": r.upstream,
                    "comment": r.comment,
                    "api": r.kind is Kind.API,
                    "limit": _limit(r),
                }
                for r in routes
            ],
            upstreams=[
                (name, address) for name, address in target.upstreams.items() if name in used
            ],
            keepalive_seconds=CLIENT_KEEP_ALIVE_SECONDS,
            rate=RATE,
            hsts=HSTS,
            csp=CSP,
            pages={name: error_page(name) for name in ("429.html", "503.html")},
        )
    )


DEPLOY_CONF = Path("deploy/k8s/base/config/nginx.conf")


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if not found:
        raise RuntimeError("nginx is not installed (scripts/bootstrap.sh installs it)")
    return found


def start_local(
    data_dir: Path, ports: dict[str, int], listen_port: int = 8080, timeout: float = 10.0
) -> ChildProcess:
    """nginx in the foreground as our child, with a config rendered for ``ports``
    (service → port; a routed service missing there gets a free port nothing
    listens on: its routes answer 503)."""
    ports = {
        **{route.upstream: free_port() for route in ROUTES if route.upstream not in ports},
        **ports,
    }
    run_dir = (data_dir / "nginx").resolve()
    log_dir = (data_dir / "logs").resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(render(local_target(run_dir, log_dir, ports, listen_port)))
    binary = nginx_binary()
    check = subprocess.run(  # noqa: S603 - our own nginx and config
        [binary, "-t", "-q", "-c", str(conf), "-e", str(log_dir / "gateway-error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected {conf}: {check.stderr.strip()}")
    child = spawn(
        "gateway",
        [binary, "-c", str(conf), "-e", str(log_dir / "gateway-error.log")],
        log_path=log_dir / "gateway-nginx.log",
    )
    wait_for_port(listen_port, timeout, child.proc)
    return child
