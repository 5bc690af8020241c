"""The gateway's routing table (nginx, deploy/k8s/base/config/nginx.conf, used
by compose and Kubernetes alike) covers every path in the services' OpenAPI
documents and sends each one to the service that serves it; the committed file
is exactly what ``edu gateway render`` makes of edu_tools.gateway_nginx.ROUTES
(the same table the local gateway is rendered from)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.deploy.conftest import NginxConfig, ServiceInCode, find

# Who owns which prefix (the team's agreement). The OpenAPI-derived test below
# is the authority; this table keeps a prefix from moving by accident.
PREFIX_OWNERS = {
    "/api/v1/my-data": "registry-reader",
    "/api/v1/represented-persons": "registry-reader",
    "/api/v1/terms/my-data": "registry-reader",
    "/api/v1/lookups": "registry-reader",
    "/api/v1/applications": "applications",
    "/api/v1/staff/": "applications",
    "/api/v1/terms/resource-applications": "applications",
    "/api/v1/documents": "documents",
}
# The pages (the portal, the front end): everything else that is not /api/.
PAGE_PREFIXES = ("/auth/", "/")


def _concrete(path: str) -> str:
    """An OpenAPI path template as a request path: {app_id} → a value."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_committed_config_is_rendered_from_the_routes_table(nginx: NginxConfig) -> None:
    from edu_tools.gateway_nginx import deploy_target, render

    assert nginx.text == render(deploy_target()), "run `edu gateway render`"


def test_security_headers_and_rate_limit(nginx: NginxConfig) -> None:
    text = re.sub(r"#[^\n]*", "", nginx.text)
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert re.search(rf"add_header\s+{header}\s.*always;", text), header
    assert "frame-ancestors 'none'" in text
    assert "'unsafe-inline'" not in text
    # nginx drops inherited add_header in a block that sets its own.
    assert all("add_header" not in loc.body for loc in nginx.locations)
    assert "limit_req zone=edu_api" in nginx.route("/api/v1/my-data/pdf").body
    assert "limit_req" not in nginx.route("/api/v1/applications").body


def test_no_regex_locations(nginx: NginxConfig) -> None:
    # Longest-prefix matching is order-independent and what route() models.
    assert all(loc.modifier in ("", "=") for loc in nginx.locations)


def test_every_openapi_path_reaches_its_service(
    nginx: NginxConfig,
    services: dict[str, ServiceInCode],
    openapi_paths: dict[str, tuple[str, ...]],
) -> None:
    checked = 0
    for name, paths in openapi_paths.items():
        for path in paths:
            location = nginx.route(_concrete(path))
            assert location.upstream is not None, f"{path} ({name}) is not routed"
            host, port = nginx.upstreams[location.upstream]
            assert (host, port) == (name, services[name].port), (
                f"{path} belongs to {name} but goes to {host}:{port}"
            )
            checked += 1
    assert checked > 0


def test_prefixes_go_to_their_owners(
    nginx: NginxConfig, services: dict[str, ServiceInCode]
) -> None:
    routed = {loc.path: loc.upstream for loc in nginx.locations if loc.upstream}
    assert routed.keys() == {*PREFIX_OWNERS, *PAGE_PREFIXES}
    for prefix in PAGE_PREFIXES:
        assert nginx.upstreams[routed[prefix]] == ("portal", 8105), prefix
    for prefix, owner in PREFIX_OWNERS.items():
        host, port = nginx.upstreams[routed[prefix]]
        assert (host, port) == (owner, services[owner].port)
    # retention has no public API: nothing routes to it.
    assert all(host != "retention" for host, _ in nginx.upstreams.values())


def test_health_and_unknown_paths_are_not_forwarded(nginx: NginxConfig) -> None:
    for path in ("/health/live", "/health/ready", "/schema", "/metrics", "/api/v1/nothing"):
        assert nginx.route(path).upstream is None, path
    assert nginx.route("/healthz").modifier == "="
    fallback = nginx.route("/api/v1/nothing")
    assert "return 404" in fallback.body
    assert '"reason":"not_found"' in fallback.body


def test_the_pages_go_to_the_portal(nginx: NginxConfig) -> None:
    for path in (
        "/",
        "/static/portal.css",
        "/auth/sign-in",
        "/mani-dati/dati",
        "/pieteikumi/",
        "/skola/",
        "/nezinama-lapa",
    ):
        location = nginx.route(path)
        assert location.upstream is not None, path
        assert nginx.upstreams[location.upstream] == ("portal", 8105), path
    # My data's pages are rate-limited per person by the portal (a session
    # cookie is no person); sign-in here, per client address.
    assert "limit_req" not in nginx.route("/mani-dati/dati").body
    assert "$cookie_edu_session" not in nginx.text
    assert "limit_req zone=edu_signin" in nginx.route("/auth/callback").body
    assert re.search(r"limit_req_zone\s+\$binary_remote_addr\s+zone=edu_signin", nginx.text)


def test_authorization_and_correlation_pass_through(nginx: NginxConfig) -> None:
    text = re.sub(r"#[^\n]*", "", nginx.text)
    assert re.search(r"proxy_set_header\s+Authorization\s+\$http_authorization;", text)
    assert re.search(r"proxy_set_header\s+X-Correlation-Id\s+\$edu_correlation_id;", text)
    assert re.search(r"proxy_set_header\s+traceparent\s+\$http_traceparent;", text)
    # nginx drops every inherited proxy_set_header in a block that sets its own.
    for loc in nginx.locations:
        assert "proxy_set_header" not in loc.body, loc.path
    # Paths can carry personal codes: the access log must not contain the URI.
    log_format = re.search(r"log_format\s+edu[^;]*;", text, re.S)
    assert log_format
    variables = set(re.findall(r"\$(\w+)", log_format.group(0)))
    assert not variables & {"uri", "request_uri", "request", "args", "query_string"}


def test_kubernetes_services_match_the_upstreams(
    nginx: NginxConfig, k8s_base: list[dict[str, Any]]
) -> None:
    for host, port in nginx.upstreams.values():
        service = find(k8s_base, "Service", host)
        assert [p["port"] for p in service["spec"]["ports"]] == [port]
    config = find(k8s_base, "ConfigMap", "edu-gateway-nginx")
    assert config["data"]["nginx.conf"] == nginx.text


def test_production_gateway_sends_hsts_on_every_response(nginx: NginxConfig) -> None:
    """deploy/ is reached over TLS: browsers must never fall back to HTTP. Set
    once at server level with ``always`` (errors too); no location adds its own
    headers, which would drop it there. The local gateway (plain HTTP) has none."""

    from edu_tools.gateway_nginx import local_target, render

    hsts = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
    assert nginx.text.count(hsts) == 1
    assert all("add_header" not in loc.body for loc in nginx.locations)
    local = render(local_target(Path("/tmp/run"), Path("/tmp/log"), {"portal": 1}, 8080))
    assert "Strict-Transport-Security" not in local
