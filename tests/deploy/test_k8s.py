"""deploy/k8s (kustomize): the base and the production overlay render, and
every workload is wired to things that exist — images built by the Dockerfile,
ports the services listen on, probes on their health endpoints, ConfigMaps the
kustomization generates, topics of the contracts — with no secret committed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from edu_contracts.topics import ALL_TOPICS

from tests.deploy.conftest import (
    DEPLOY,
    K8S,
    FrontEndInCode,
    ServiceInCode,
    find,
    pod_specs,
    portal_env_names,
    topic_specs,
)

RENDERINGS = ["k8s_base", "k8s_production"]
ALLOWED_SECRETS = {"edu-secrets", "edu-gateway-jwks"}
# notifications' SMTP relay login (RUNBOOK.md "Notifications").
NOTIFICATIONS_SECRETS = {"edu-smtp"}
NOTIFICATIONS_SECRET_ENV = {
    "EDU_NOTIFICATIONS_SMTP_HOST",
    "EDU_NOTIFICATIONS_SMTP_PORT",
    "EDU_NOTIFICATIONS_SMTP_USERNAME",
    "EDU_NOTIFICATIONS_SMTP_PASSWORD",
}
# The front end's own: its CSRF secret, its OIDC client secret and the gateway's
# private signing key, which only the portal may hold.
PORTAL_SECRETS = {"edu-portal", "edu-gateway-signing-key"}
PORTAL_SECRET_ENV = {"EDU_PORTAL_CSRF_SECRET", "EDU_PORTAL_OIDC_CLIENT_SECRET"}


@pytest.fixture(params=RENDERINGS)
def objects(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    rendered: list[dict[str, Any]] = request.getfixturevalue(request.param)
    return rendered


def _container(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    container: dict[str, Any]
    (container,) = find(objects, "Deployment", name)["spec"]["template"]["spec"]["containers"]
    return container


def test_every_service_has_deployment_service_pdb_hpa(
    objects: list[dict[str, Any]], services: dict[str, ServiceInCode]
) -> None:
    for name in [*services, "portal", "gateway"]:
        deployment = find(objects, "Deployment", name)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        service = find(objects, "Service", name)
        assert service["spec"]["selector"].items() <= pod_labels.items()
        pdb = find(objects, "PodDisruptionBudget", name)
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        hpa = find(objects, "HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        # With 2+ pods and maxUnavailable 1, a node drain never takes the last one.
        assert pdb["spec"].get("maxUnavailable") == 1


def test_ports_and_probes_match_the_code(
    objects: list[dict[str, Any]], services: dict[str, ServiceInCode], portal: FrontEndInCode
) -> None:
    deployed: dict[str, ServiceInCode | FrontEndInCode] = {**services, portal.name: portal}
    for name, svc in deployed.items():
        container = _container(objects, name)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": svc.port}
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env[f"{svc.env_prefix}HTTP_PORT"] == str(svc.port)
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
        service = find(objects, "Service", name)
        assert service["spec"]["ports"] == [
            {"name": "http", "port": svc.port, "targetPort": "http", "protocol": "TCP"}
        ]


def test_images_are_the_dockerfile_targets_or_pinned(
    objects: list[dict[str, Any]], services: dict[str, ServiceInCode]
) -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    production = any(o["kind"] == "Namespace" for o in objects)
    for obj, pod in pod_specs(objects):
        for container in pod["containers"]:
            image = container["image"]
            name = obj["metadata"]["name"]
            if name in services or name == "portal":
                assert re.search(rf"^FROM \S+ AS {re.escape(name)}$", dockerfile, re.M)
                if production:
                    assert re.fullmatch(rf"[\w.-]+/edu/{name}:\d+\.\d+\.\d+", image), image
                else:
                    assert image == f"edu-{name}"
            else:
                assert re.fullmatch(r"[\w./-]+:[\w.-]*\d[\w.-]*", image), image
                assert not image.endswith(":latest")


def test_pods_run_non_root_read_only(objects: list[dict[str, Any]]) -> None:
    for obj, pod in pod_specs(objects):
        assert pod["securityContext"]["runAsNonRoot"] is True, obj["metadata"]["name"]
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert "limits" in container["resources"]
            assert "requests" in container["resources"]


def _git_ignored() -> set[Path]:
    """Files git ignores under deploy/k8s: the local-prod Secrets made on this
    machine (deploy/scripts/make-local-secrets.sh --local-prod), never committed."""
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "."],
        cwd=K8S,  # git prints the paths relative to it
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        return set()
    return {(K8S / line).resolve() for line in listed.stdout.splitlines()}


def test_config_maps_exist_and_no_secret_is_committed(objects: list[dict[str, Any]]) -> None:
    assert not [o for o in objects if o["kind"] == "Secret"]
    config_maps = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    for obj, pod in pod_specs(objects):
        front_end = obj["metadata"]["name"] == "portal"
        allowed = ALLOWED_SECRETS | PORTAL_SECRETS if front_end else ALLOWED_SECRETS
        secret_env = PORTAL_SECRET_ENV if front_end else set()
        if obj["metadata"]["name"] == "notifications":
            allowed, secret_env = ALLOWED_SECRETS | NOTIFICATIONS_SECRETS, NOTIFICATIONS_SECRET_ENV
        for volume in pod.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps
            if "secret" in volume:
                assert volume["secret"]["secretName"] in allowed, obj["metadata"]["name"]
        for container in pod["containers"]:
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps
            for item in container.get("env", []):
                ref = item.get("valueFrom", {})
                if "secretKeyRef" in ref:
                    assert ref["secretKeyRef"]["name"] in allowed
                    assert item["name"] in ("EDU_MONGO_URL", "EDU_PSEUDONYM_KEY", *secret_env)
                if "configMapKeyRef" in ref:
                    cm = find(objects, "ConfigMap", ref["configMapKeyRef"]["name"])
                    assert ref["configMapKeyRef"]["key"] in cm["data"]
            mounts = {m["name"] for m in container.get("volumeMounts", [])}
            assert mounts <= {v["name"] for v in pod.get("volumes", [])}, obj["metadata"]["name"]
    ignored = _git_ignored()
    for path in K8S.rglob("*"):
        if path.is_file() and path.resolve() not in ignored:
            text = path.read_text()
            assert "PRIVATE KEY" not in text, path
            assert "kind: Secret" not in text, path


def test_topic_job_provisions_the_contract_topics(
    objects: list[dict[str, Any]], compose: dict[str, Any]
) -> None:
    job = find(objects, "Job", "edu-kafka-topics")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    specs = topic_specs(env["TOPICS"]["value"])
    assert set(specs) == set(ALL_TOPICS)
    # The same partitions and retention as compose.
    assert specs == topic_specs(compose["services"]["kafka-topics"]["environment"]["TOPICS"])
    assert env["TOPIC_REPLICATION"]["value"] == "3"
    assert env["TOPIC_MIN_INSYNC_REPLICAS"]["value"] == "2"
    assert env["KAFKA_BOOTSTRAP"]["valueFrom"]["configMapKeyRef"]["key"] == "EDU_KAFKA_BOOTSTRAP"
    script = find(objects, "ConfigMap", "edu-kafka-topics-script")["data"]["create-topics.sh"]
    assert container["command"] == ["/bin/sh", "/scripts/create-topics.sh"]
    assert "--replication-factor" in script
    assert "min.insync.replicas" in script
    assert container["image"] == compose["services"]["kafka-topics"]["image"]


def test_autoscaling_never_outgrows_the_partitions(
    objects: list[dict[str, Any]], services: dict[str, ServiceInCode], compose: dict[str, Any]
) -> None:
    specs = topic_specs(compose["services"]["kafka-topics"]["environment"]["TOPICS"])
    smallest = min(p for topic, (p, _) in specs.items() if not topic.endswith("dead-letter.v1"))
    for name in services:
        hpa = find(objects, "HorizontalPodAutoscaler", name)
        # A consumer group never uses more members than partitions.
        assert hpa["spec"]["maxReplicas"] <= smallest, name


def test_production_overlay_changes_what_it_says(
    k8s_base: list[dict[str, Any]], k8s_production: list[dict[str, Any]]
) -> None:
    assert all(
        o["metadata"].get("namespace") == "edu" for o in k8s_production if o["kind"] != "Namespace"
    )
    namespace = find(k8s_production, "Namespace", "edu")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name in ("applications", "documents"):
        assert find(k8s_production, "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] == 3
        assert find(k8s_base, "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] == 2
    shared_base = find(k8s_base, "ConfigMap", "edu-shared")["data"]
    shared_prod = find(k8s_production, "ConfigMap", "edu-shared")["data"]
    assert shared_prod.keys() == shared_base.keys()
    assert shared_prod["EDU_KAFKA_BOOTSTRAP"] != shared_base["EDU_KAFKA_BOOTSTRAP"]


def test_the_portal_is_configured_as_the_runbook_says(objects: list[dict[str, Any]]) -> None:
    """The front end: OIDC sign-in, Secure cookies, the services' cluster names,
    its secrets from Secrets (never a ConfigMap), the signing key where
    GatewayKeys reads it (DATA_DIR/keys), and every variable one the code reads."""
    container = _container(objects, "portal")
    env = {e["name"]: e for e in container["env"]}
    config = find(objects, "ConfigMap", "edu-portal")["data"]
    assert config["EDU_PORTAL_SIGN_IN"] == "oidc"
    assert config["EDU_PORTAL_SECURE_COOKIES"] == "true"
    runbook = (DEPLOY / "RUNBOOK.md").read_text()
    for name in (
        "ISSUER",
        "AUTHORIZATION_ENDPOINT",
        "TOKEN_ENDPOINT",
        "JWKS_URI",
        "CLIENT_ID",
        "REDIRECT_URI",
        "SCOPES",
        "CODE_CLAIM",
    ):
        assert config[f"EDU_PORTAL_OIDC_{name}"], name
        assert f"EDU_PORTAL_OIDC_{name}" in runbook, name
    assert config["EDU_PORTAL_OIDC_REDIRECT_URI"].endswith("/auth/callback")
    for key, port in (("REGISTRY", 8101), ("APPLICATIONS", 8102), ("DOCUMENTS", 8103)):
        assert config[f"EDU_PORTAL_{key}_URL"].endswith(f":{port}")
    assert not any("SECRET" in key for key in config)
    for name in PORTAL_SECRET_ENV:
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "edu-portal"
    known = portal_env_names()
    assert set(env) <= known.keys(), set(env) - known.keys()
    assert set(config) <= known.keys(), set(config) - known.keys()
    data_dir = env["EDU_DATA_DIR"]["value"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "gateway-signing-key"]
    assert mount["mountPath"] == f"{data_dir}/keys"
    assert mount["readOnly"] is True
    pod = find(objects, "Deployment", "portal")["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "gateway-signing-key")
    assert volume["secret"]["secretName"] == "edu-gateway-signing-key"
    # Only the portal holds the private key.
    for obj, other in pod_specs(objects):
        if obj["metadata"]["name"] != "portal":
            names = {v.get("secret", {}).get("secretName") for v in other.get("volumes", [])}
            assert not names & PORTAL_SECRETS, obj["metadata"]["name"]


_ = ServiceInCode
