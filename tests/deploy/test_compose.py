"""deploy/compose.yaml references only images, ports, files, env vars and
topics that exist: in the code, in the Dockerfile, or in compose itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from edu_contracts.topics import ALL_TOPICS

from tests.deploy.conftest import (
    DEPLOY,
    ENTRYPOINT_FILE_VARS,
    FrontEndInCode,
    NginxConfig,
    ServiceInCode,
    env_names,
    portal_env_names,
    topic_specs,
)

INFRA_IMAGE = re.compile(r"^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$")


def _services(compose: dict[str, Any]) -> dict[str, Any]:
    return dict(compose["services"])


def test_every_image_is_pinned_or_built_here(
    compose: dict[str, Any], services: dict[str, ServiceInCode], portal: FrontEndInCode
) -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for name, svc in _services(compose).items():
        image = svc["image"]
        if name in services or name == portal.name:
            assert image.startswith(f"edu-{name}:"), image
            build = svc["build"]
            assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (
                DEPLOY / "Dockerfile"
            ).resolve()
            assert build["target"] == name
            assert re.search(rf"^FROM \S+ AS {re.escape(name)}$", dockerfile, re.M)
        else:
            assert INFRA_IMAGE.match(image), f"{name}: pin {image} to a version"


def test_kafka_is_three_kraft_brokers_with_replicated_defaults(compose: dict[str, Any]) -> None:
    svcs = _services(compose)
    brokers = {n: s for n, s in svcs.items() if re.fullmatch(r"kafka-\d", n)}
    assert len(brokers) == 3
    ids = set()
    for name, svc in brokers.items():
        env = svc["environment"]
        assert svc["image"].startswith("apache/kafka:")
        assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
        ids.add(env["KAFKA_NODE_ID"])
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        voters = dict(v.split("@") for v in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
        assert {host.split(":")[0] for host in voters.values()} == set(brokers)
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        assert env["CLUSTER_ID"] == brokers["kafka-1"]["environment"]["CLUSTER_ID"]
    assert ids == {"1", "2", "3"}
    assert set(voters) == ids


def test_topic_init_creates_exactly_the_topics_of_the_contracts(compose: dict[str, Any]) -> None:
    init = _services(compose)["kafka-topics"]
    env = init["environment"]
    specs = topic_specs(env["TOPICS"])
    assert set(specs) == set(ALL_TOPICS)
    assert env["TOPIC_REPLICATION"] == "3"
    assert env["TOPIC_MIN_INSYNC_REPLICAS"] == "2"
    # Partitions bound consumer parallelism: the HPAs' ceiling (12) must fit.
    for topic, (partitions, days) in specs.items():
        assert partitions >= (3 if topic.endswith("dead-letter.v1") else 12), topic
        assert days >= 7
    brokers = {f"{h.split(':')[0]}" for h in env["KAFKA_BOOTSTRAP"].split(",")}
    assert brokers <= set(_services(compose))
    for condition in init["depends_on"].values():
        assert condition["condition"] == "service_healthy"
    source = init["volumes"][0].split(":")[0]
    assert (DEPLOY / source).is_file()
    assert init["entrypoint"][-1] == init["volumes"][0].split(":")[1]


def test_mongodb_is_a_three_member_replica_set(compose: dict[str, Any]) -> None:
    svcs = _services(compose)
    members = {n: s for n, s in svcs.items() if re.fullmatch(r"mongo-\d", n)}
    assert len(members) == 3
    for svc in members.values():
        assert svc["command"][svc["command"].index("--replSet") + 1] == "rs0"
    script = (DEPLOY / "mongo" / "init-replica-set.js").read_text()
    assert set(re.findall(r'host: "([\w-]+):27017"', script)) == set(members)
    init = svcs["mongo-init"]
    assert (DEPLOY / init["volumes"][0].split(":")[0]).is_file()


def _service_env(compose: dict[str, Any], name: str) -> dict[str, str]:
    return {k: str(v) for k, v in _services(compose)[name]["environment"].items()}


def test_service_env_names_are_read_by_the_code(
    compose: dict[str, Any], services: dict[str, ServiceInCode]
) -> None:
    for name, svc in services.items():
        env = _service_env(compose, name)
        known = env_names(svc.settings_cls)
        for key in env:
            assert key in known or key in ENTRYPOINT_FILE_VARS, f"{name}: nothing reads {key}"
        assert "EDU_PSEUDONYM_KEY_FILE" in env


def test_service_env_points_at_things_that_exist(
    compose: dict[str, Any], services: dict[str, ServiceInCode]
) -> None:
    svcs = _services(compose)
    collector = yaml.safe_load((DEPLOY / "otel" / "collector.yaml").read_text())
    otlp_http = collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    for name, svc in services.items():
        env = _service_env(compose, name)
        assert env["EDU_KAFKA_IDEMPOTENCE"] == "true"
        assert env["EDU_KAFKA_CREATE_TOPICS"] == "false"
        assert env["EDU_KAFKA_REPLICATION"] == "3"
        for broker in env["EDU_KAFKA_BOOTSTRAP"].split(","):
            host, port = broker.split(":")
            assert host in svcs
            assert re.fullmatch(r"kafka-\d", host)
            assert f":{port}" in svcs[host]["environment"]["KAFKA_LISTENERS"]
        mongo = urlsplit(env["EDU_MONGO_URL"])
        hosts = {h.split(":")[0] for h in mongo.netloc.split(",")}
        assert hosts == {n for n in svcs if re.fullmatch(r"mongo-\d", n)}
        assert parse_qs(mongo.query)["replicaSet"] == ["rs0"]
        otlp = urlsplit(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert otlp.hostname in svcs
        assert otlp.port == int(otlp_http.rsplit(":", 1)[1])
        # Secrets are files mounted from compose secrets.
        secrets = set(svcs[name]["secrets"])
        assert secrets <= set(compose["secrets"])
        for var in ("EDU_JWT_JWKS_FILE", "EDU_PSEUDONYM_KEY_FILE"):
            path = Path(env[var])
            assert path.parent == Path("/run/secrets")
            assert path.name in secrets
        assert env[f"{svc.env_prefix}HTTP_PORT"] == str(svc.port)
        # Other services' URLs name compose services on their own ports.
        for key, value in env.items():
            url = urlsplit(value) if value.startswith("http") else None
            if url and key.endswith("_URL"):
                assert url.hostname in services, f"{name}: {key}={value}"
                target = services[url.hostname]
                assert url.port == target.port, f"{name}: {key}={value}"


def test_collector_feeds_jaeger(compose: dict[str, Any]) -> None:
    svcs = _services(compose)
    collector = yaml.safe_load((DEPLOY / "otel" / "collector.yaml").read_text())
    pipeline = collector["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    for exporter in pipeline["exporters"]:
        endpoint = collector["exporters"][exporter]["endpoint"]
        assert endpoint.split(":")[0] in svcs
        assert svcs[endpoint.split(":")[0]]["image"].startswith("jaegertracing/")
    mount = svcs["otel-collector"]["volumes"][0].split(":")
    assert (DEPLOY / mount[0]).is_file()
    assert f"--config={mount[1]}" in svcs["otel-collector"]["command"]


def test_dependencies_and_files_exist(compose: dict[str, Any]) -> None:
    svcs = _services(compose)
    for name, svc in svcs.items():
        for dep in svc.get("depends_on", {}):
            assert dep in svcs, f"{name} depends on unknown {dep}"
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"
    for secret in compose["secrets"].values():
        # Never committed: the directory ignores everything but its .gitignore.
        path = (DEPLOY / secret["file"]).resolve()
        assert path.parent == (DEPLOY / "secrets").resolve()
    assert (DEPLOY / "secrets" / ".gitignore").read_text().splitlines()[1:3] == ["*", "!.gitignore"]


def test_gateway_serves_its_routing_file(compose: dict[str, Any], nginx: NginxConfig) -> None:
    gateway = _services(compose)["gateway"]
    source, target, _ = gateway["volumes"][0].split(":")
    assert (DEPLOY / source).resolve() == (DEPLOY / "k8s/base/config/nginx.conf").resolve()
    assert target == "/etc/nginx/nginx.conf"
    listen = re.search(r"listen\s+(\d+);", nginx.text)
    assert listen
    assert gateway["ports"] == [f"{listen.group(1)}:{listen.group(1)}"]
    svcs = _services(compose)
    for host, port in nginx.upstreams.values():
        assert host in svcs
        env = _service_env(compose, host)
        assert any(k.endswith("_HTTP_PORT") and v == str(port) for k, v in env.items())


def test_the_portal_is_wired_to_the_services_and_its_secrets(
    compose: dict[str, Any], services: dict[str, ServiceInCode], portal: FrontEndInCode
) -> None:
    svcs = _services(compose)
    env = _service_env(compose, portal.name)
    known = portal_env_names()
    for key in env:
        assert key in known or key in ENTRYPOINT_FILE_VARS, f"portal: nothing reads {key}"
    assert env[f"{portal.env_prefix}HTTP_PORT"] == str(portal.port)
    assert env["EDU_MONGO_URL"] == _service_env(compose, "registry-reader")["EDU_MONGO_URL"]
    for key, backend in (
        ("REGISTRY", "registry-reader"),
        ("APPLICATIONS", "applications"),
        ("DOCUMENTS", "documents"),
    ):
        url = urlsplit(env[f"EDU_PORTAL_{key}_URL"])
        assert (url.hostname, url.port) == (backend, services[backend].port)
    # Secrets as files, never in the environment: the CSRF secret through the
    # entrypoint, the gateway's private key where GatewayKeys reads it.
    assert "EDU_PORTAL_CSRF_SECRET" not in env
    secret_path = Path(env["EDU_PORTAL_CSRF_SECRET_FILE"])
    mounted: dict[str, Path] = {}
    for item in svcs[portal.name]["secrets"]:
        source = item if isinstance(item, str) else item["source"]
        assert source in compose["secrets"]
        target = Path(f"/run/secrets/{item}") if isinstance(item, str) else Path(item["target"])
        mounted[source] = target
    assert secret_path in mounted.values()
    keys = Path(env["EDU_DATA_DIR"]) / "keys"
    assert {keys / "gateway-ed25519.pem", keys / "kid"} <= set(mounted.values())
    # Only the portal holds the private key.
    for name, svc in svcs.items():
        if name != portal.name:
            sources = {i if isinstance(i, str) else i["source"] for i in svc.get("secrets", [])}
            assert "gateway_signing_key" not in sources, name
    assert portal.name in svcs["gateway"]["depends_on"]


_ = ServiceInCode  # re-exported type, used in annotations of fixtures
