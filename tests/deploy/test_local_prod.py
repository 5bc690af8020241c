"""deploy/k8s/overlays/local-prod, rendered by the real ``kubectl kustomize``,
and the conversion deploy/local-prod/play.py makes before ``podman kube play``:
the overlay changes only what it says (local images, embedded Kafka and
MongoDB, the OIDC test provider, generated Secrets, loopback-only ports), and
the conversion keeps what production mounts and sets — Secret and ConfigMap
files read-only with their modes, ``env`` over ``envFrom`` — while removing
what podman 4.3 cannot play. `make prod-check` plays it for real."""

from __future__ import annotations

import importlib.util
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import DEPLOY, K8S, pod_specs

OVERLAY = K8S / "overlays" / "local-prod"
LOCAL_ONLY = {"kafka", "mongodb", "oidc-provider", "mail"}

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def _load_play() -> Any:
    spec = importlib.util.spec_from_file_location(
        "local_prod_play", DEPLOY / "local-prod" / "play.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def play() -> Any:
    return _load_play()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The overlay rendered from a copy with stand-in secret files (the real
    ones are made per machine and never committed)."""
    root = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, root, ignore=shutil.ignore_patterns("secrets"))
    spec = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())
    for generator in spec["secretGenerator"]:
        for entry in generator["files"]:
            path = root / "overlays" / "local-prod" / entry.partition("=")[2]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"stand-in {path.name}")
    out = subprocess.run(
        ["kubectl", "kustomize", str(root / "overlays" / "local-prod")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def _named(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _targets(dockerfile: Path) -> set[str]:
    return set(re.findall(r"^FROM \S+ AS (\S+)$", dockerfile.read_text(), re.M))


def test_overlay_adds_only_the_local_backends_and_provider(
    rendered: list[dict[str, Any]], k8s_base: list[dict[str, Any]]
) -> None:
    base = set(_named(k8s_base, "Deployment"))
    local = set(_named(rendered, "Deployment"))
    assert local == base | LOCAL_ONLY
    assert not _named(rendered, "Job"), "the topic Job needs Apache Kafka's tools"
    services = _named(rendered, "Service")
    assert set(services) == set(_named(k8s_base, "Service")) | LOCAL_ONLY


def test_images_are_the_local_builds(rendered: list[dict[str, Any]]) -> None:
    targets = _targets(DEPLOY / "Dockerfile") | _targets(DEPLOY / "local-prod" / "Dockerfile")
    for obj, pod in pod_specs(rendered):
        for container in pod["containers"]:
            m = re.fullmatch(r"localhost/edu-([a-z-]+):local", container["image"])
            assert m, f"{obj['metadata']['name']}: {container['image']}"
            assert m.group(1) in targets, f"no Dockerfile target {m.group(1)}"


def test_every_pod_runs_non_root_read_only_with_probes(rendered: list[dict[str, Any]]) -> None:
    for obj, pod in pod_specs(rendered):
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert "readinessProbe" in container, obj["metadata"]["name"]
            assert "livenessProbe" in container, obj["metadata"]["name"]
            for port in container.get("ports", []):
                if "hostPort" in port:
                    assert port.get("hostIP") == "127.0.0.1", "published on loopback only"


def test_secrets_hold_every_key_the_pods_read(rendered: list[dict[str, Any]]) -> None:
    secrets = _named(rendered, "Secret")
    for obj, pod in pod_specs(rendered):
        for container in pod["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets[ref["name"]]["data"], (obj["metadata"], ref)
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                assert volume["secret"]["secretName"] in secrets
    signing = next(s for n, s in secrets.items() if n.startswith("edu-gateway-signing-key"))
    # The private key, its kid and its JWKS, as production mounts them.
    assert set(signing["data"]) == {"gateway-ed25519.pem", "kid", "jwks.json"}


def test_sign_in_is_the_oidc_provider_never_the_stand_in(rendered: list[dict[str, Any]]) -> None:
    maps = {n.rsplit("-", 1)[0]: o["data"] for n, o in _named(rendered, "ConfigMap").items()}
    portal, provider = maps["edu-portal"], maps["edu-oidc-provider"]
    assert portal["EDU_PORTAL_SIGN_IN"] == "oidc"
    assert portal["EDU_PORTAL_SECURE_COOKIES"] == "true"
    assert portal["EDU_PORTAL_OIDC_ISSUER"] == provider["OIDC_ISSUER"]
    assert portal["EDU_PORTAL_OIDC_CLIENT_ID"] == provider["OIDC_CLIENT_ID"]
    assert portal["EDU_PORTAL_OIDC_REDIRECT_URI"] in provider["OIDC_REDIRECT_URIS"].split(",")
    assert portal["EDU_PORTAL_OIDC_TOKEN_ENDPOINT"].startswith(provider["OIDC_ISSUER"])
    assert portal["EDU_PORTAL_OIDC_AUTHORIZATION_ENDPOINT"].startswith(provider["OIDC_PUBLIC_URL"])


def test_conversion_mounts_what_production_mounts(
    play: Any,
    rendered: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(play, "WORK", tmp_path)
    owners: dict[Path, int] = {}
    monkeypatch.setattr(play.os, "chown", lambda p, _u, g: owners.__setitem__(Path(p), g))
    secrets = _named(rendered, "Secret")
    maps = _named(rendered, "ConfigMap")
    for name, deployment in _named(rendered, "Deployment").items():
        converted = play.convert(deployment, secrets, maps)
        pod = converted["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        for volume in volumes.values():
            assert "secret" not in volume, "kube play panics on secret volumes"
            assert "configMap" not in volume
            if "emptyDir" in volume:
                assert volume["name"].startswith(f"{name}-"), "podman shares emptyDirs by name"
        for container in pod["containers"]:
            assert "envFrom" not in container
            for mount in container.get("volumeMounts", []):
                assert "subPath" not in mount
                if "hostPath" in volumes[mount["name"]]:
                    assert mount.get("readOnly") is True, (name, mount)
    # The portal: its signing key, read-only, group-readable only, and the
    # EDU_DATA_DIR its manifest sets (env wins over the shared ConfigMap's).
    portal = play.convert(_named(rendered, "Deployment")["portal"], secrets, maps)
    spec = portal["spec"]["template"]["spec"]
    keys = Path(
        next(v for v in spec["volumes"] if v["name"] == "gateway-signing-key")["hostPath"]["path"]
    )
    assert sorted(p.name for p in keys.iterdir()) == ["gateway-ed25519.pem", "jwks.json", "kid"]
    for file in keys.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o440
        assert owners[file] == 10001
    env = [e for e in spec["containers"][0]["env"] if e["name"] == "EDU_DATA_DIR"]
    assert env == [{"name": "EDU_DATA_DIR", "value": "/etc/edu/portal"}]
    kafka = [e for e in spec["containers"][0]["env"] if e["name"] == "EDU_KAFKA_BOOTSTRAP"]
    assert kafka == [{"name": "EDU_KAFKA_BOOTSTRAP", "value": "kafka:9092"}]
    # The gateway: nginx.conf, the rendered ConfigMap's own text, as one file.
    gateway = play.convert(_named(rendered, "Deployment")["gateway"], secrets, maps)
    gspec = gateway["spec"]["template"]["spec"]
    (mount,) = [
        m for m in gspec["containers"][0]["volumeMounts"] if m["mountPath"].endswith(".conf")
    ]
    path = next(v for v in gspec["volumes"] if v["name"] == mount["name"])["hostPath"]
    assert path["type"] == "File"
    config = next(o for n, o in maps.items() if n.startswith("edu-gateway-nginx"))
    assert Path(path["path"]).read_text() == config["data"]["nginx.conf"]


def test_services_become_network_aliases(play: Any, rendered: list[dict[str, Any]]) -> None:
    services = _named(rendered, "Service")
    for name, deployment in _named(rendered, "Deployment").items():
        assert play.service_names(deployment, services) == [name]


def test_notifications_send_to_the_mail_sink_in_plain_smtp(
    rendered: list[dict[str, Any]], k8s_base: list[dict[str, Any]]
) -> None:
    """Only here: plain SMTP to the sink's Service, links to the local gateway;
    the base (production) keeps STARTTLS and its own portal address."""
    spec = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())
    (smtp,) = [g for g in spec["secretGenerator"] if g["name"] == "edu-smtp"]
    assert {f.partition("=")[0] for f in smtp["files"]} == {"host", "port", "username", "password"}

    def env(objects: list[dict[str, Any]]) -> dict[str, Any]:
        pod = _named(objects, "Deployment")["notifications"]["spec"]["template"]["spec"]
        return {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}

    local, base = env(rendered), env(k8s_base)
    assert local["EDU_NOTIFICATIONS_SMTP_STARTTLS"] == "false"
    assert local["EDU_NOTIFICATIONS_PORTAL_ADDRESS"] == "http://127.0.0.1:18080"
    assert base["EDU_NOTIFICATIONS_SMTP_STARTTLS"] == "true"
    assert base["EDU_NOTIFICATIONS_PORTAL_ADDRESS"].startswith("https://")
    mail = _named(rendered, "Service")["mail"]
    assert 2525 in {p["port"] for p in mail["spec"]["ports"]}
