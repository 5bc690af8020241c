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
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from edu_runtime.csp import CSP
from edu_runtime.serve import CLIENT_KEEP_ALIVE_SECONDS

from edu_tools.backends import ChildProcess, spawn, wait_for_port


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

UNAVAILABLE_PAGE = (
    '<!DOCTYPE html><html lang="lv"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Pakalpojums nav pieejams / Service unavailable - Latvija.lv</title>"
    "</head><body><main>"
    "<h1>Atvainojiet, pakalpojums nav pieejams</h1>"
    "<p>Mēģiniet vēlreiz pēc dažām minūtēm.</p>"
    '<h2 lang="en">Sorry, the service is unavailable</h2>'
    '<p lang="en">Try again in a few minutes.</p>'
    "</main></body></html>"
)

TOO_MANY_PAGE = (
    '<!DOCTYPE html><html lang="lv"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Pārāk daudz pieprasījumu / Too many requests - Latvija.lv</title>"
    '<link rel="stylesheet" href="/static/portal.css"></head><body>'
    '<header class="header"><div class="container header__inner">'
    '<a class="header__brand" href="/">Latvija.lv</a></div></header>'
    '<div class="container"><main id="main" class="main">'
    '<h1 class="heading-l">Pārāk daudz pieprasījumu</h1>'
    "<p>Īsā laikā no jūsu adreses ir saņemts pārāk daudz pieprasījumu. "
    "Uzgaidiet minūti un mēģiniet vēlreiz.</p>"
    '<h2 lang="en">Too many requests</h2>'
    '<p lang="en">Too many requests have come from your address in a short while. '
    "Wait a minute and try again.</p>"
    '<p><a href="/">Uz sākumlapu / Go to the start page</a></p>'
    "</main></div></body></html>"
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


def _location(route: Route) -> str:
    lines = [f"        location {route.prefix} {{"]
    lines.append(f"            set $edu_route {route.upstream};")
    if route.rate_limited:
        zone = route.zone or "edu_api"
        burst = SIGNIN_BURST if zone == "edu_signin" else BURST
        lines.append(f"            limit_req zone={zone} burst={burst} nodelay;")
    if route.kind is Kind.API:
        lines.append("            error_page 429 = @too_many_api;")
        lines.append("            error_page 502 504 = @unavailable_api;")
    else:
        lines.append("            error_page 429 /_gateway/429.html;")
        lines.append("            error_page 502 504 /_gateway/503.html;")
    lines.append(f"            proxy_pass http://{route.upstream};")
    lines.append("        }")
    return "\n".join(lines)


def render(target: Target) -> str:
    routes = [r for r in ROUTES if target.pages or r.kind is Kind.API]
    used = {r.upstream for r in routes}
    upstreams = "\n".join(
        f"    upstream {name} {{\n        server {address};\n        keepalive 32;\n"
        # Idle upstream connections closed before uvicorn closes them (see
        # edu_runtime.serve): else a POST sent as uvicorn closes fails with 502.
        f"        keepalive_timeout {CLIENT_KEEP_ALIVE_SECONDS}s;\n    }}"
        for name, address in target.upstreams.items()
        if name in used
    )
    groups: list[str] = []
    for route in routes:
        if route.comment:
            groups.append(f"        # {route.prefix}: {route.comment}")
        groups.append(_location(route))
    locations = "\n".join(groups)
    temp = target.temp_dir
    daemon = "daemon off;\n" if target.foreground else ""
    api_fallback = "/api/" if target.pages else "/"
    blocked = (
        "\n".join(
            f"        location {prefix} {{\n            return 404;\n        }}"
            for prefix in ("/health/", "/schema", "/metrics")
        )
        + "\n\n"
        if target.pages
        else ""
    )
    hsts = f'        add_header Strict-Transport-Security "{HSTS}" always;\n' if target.hsts else ""
    return f"""# GENERATED by `edu gateway render` from edu_tools/gateway_nginx.py (ROUTES):
# edit that table, not this file. tests/deploy checks the two agree.
#
# The API gateway in front of the services (nginx; the same file in compose and
# Kubernetes: service names resolve in both). The portal's gateway has already
# authenticated the person and signed a JWT; this one routes /api/v1/... by
# path prefix to the service that owns it and passes the Authorization header
# through untouched: each service verifies the token itself. Prefix locations
# only: nginx picks the longest matching prefix, independent of order.
{daemon}worker_processes auto;
pid {target.pid};
# error: its lines quote the request line, and a query can carry a personal code
# (personal codes travel in POST bodies, but a stray query could still carry one).
# Upstream failures still show in the access log (status 502/504 and the
# upstream address).
error_log {target.error_log} crit;

events {{
    worker_connections 4096;
}}

http {{
    # Writable paths for a read-only root filesystem and a non-root user.
    client_body_temp_path {temp}/client_temp;
    proxy_temp_path {temp}/proxy_temp;
    fastcgi_temp_path {temp}/fastcgi_temp;
    uwsgi_temp_path {temp}/uwsgi_temp;
    scgi_temp_path {temp}/scgi_temp;

    server_tokens off;
    charset utf-8;
    # Request size and time limits: a slow or huge request is cut off here.
    client_max_body_size 2m;
    client_body_buffer_size 64k;
    large_client_header_buffers 4 16k;
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 30s;
    keepalive_timeout 65s;

    # The caller's correlation id, or nginx's request id: the services put it in
    # every event the request causes, and answer with it.
    map $http_x_correlation_id $edu_correlation_id {{
        ""      $request_id;
        default $http_x_correlation_id;
    }}

    # Rate limit of my-data reads and printouts through the API: per bearer
    # token (only the portal mints them, one per session; requests without one
    # are refused). The pages are limited per person by the portal itself.
    limit_req_zone $http_authorization zone=edu_api:10m rate={RATE};
    # Sign-in per client address (behind a load balancer: set_real_ip_from).
    limit_req_zone $binary_remote_addr zone=edu_signin:10m rate={target.signin_rate};
    limit_req_status 429;

    # No URI in the log: a stray query could carry a personal code (codes go in bodies).
    log_format edu escape=json
        '{{"ts":"$time_iso8601","service":"gateway","route":"$edu_route",'
        '"method":"$request_method","status":$status,"duration_s":$request_time,'
        '"upstream":"$upstream_addr","correlation_id":"$edu_correlation_id",'
        '"traceparent":"$http_traceparent"}}';
    access_log {target.access_log} edu;

{upstreams}

    server {{
        listen {target.listen};
        set $edu_route none;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        # The portal's JWT, byte for byte.
        proxy_set_header Authorization $http_authorization;
        proxy_set_header X-Correlation-Id $edu_correlation_id;
        proxy_set_header X-Request-Id $edu_correlation_id;
        # W3C trace context from the portal, if any: the services continue it.
        proxy_set_header traceparent $http_traceparent;
        proxy_set_header tracestate $http_tracestate;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;
        proxy_send_timeout 30s;
        proxy_read_timeout 30s;
        proxy_hide_header Server;
        proxy_hide_header X-Powered-By;

        # On every response, errors included ("always"). No location sets its
        # own add_header: that would drop all of these there.
        add_header X-Correlation-Id $edu_correlation_id always;
        add_header Content-Security-Policy "{CSP}" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        add_header X-Frame-Options DENY always;
        add_header Cross-Origin-Opener-Policy same-origin always;
        add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;
{hsts}
{locations}

        # retention has no public API.

        location = /healthz {{
            access_log off;
            default_type application/json;
            return 200 '{{"status":"ok","service":"gateway"}}';
        }}

        location = /_gateway/429.html {{
            internal;
            default_type text/html;
            return 429 '{TOO_MANY_PAGE}';
        }}

        location = /_gateway/503.html {{
            internal;
            default_type text/html;
            return 503 '{UNAVAILABLE_PAGE}';
        }}

        location @unavailable_api {{
            default_type application/json;
            return 503 '{{"reason":"service_unavailable","detail":"The service does not answer; try again."}}';
        }}

        location @too_many_api {{
            default_type application/json;
            return 429 '{{"reason":"too_many_requests","detail":"Too many requests for this person; wait a minute."}}';
        }}

{blocked}        location {api_fallback} {{
            default_type application/json;
            return 404 '{{"reason":"not_found","detail":"No such API."}}';
        }}
    }}
}}
"""


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
    """nginx in the foreground as our child, with a config rendered for ``ports``."""
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
