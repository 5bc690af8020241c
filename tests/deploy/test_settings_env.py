"""Every service's settings can be fully configured from the environment the
manifests set: load each Settings class with exactly that environment (secret
files resolved the way the image's entrypoint does) and check the values."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from edu_runtime.settings import ServiceSettings
from pydantic import SecretStr

from tests.deploy.conftest import (
    DEPLOY,
    ENTRYPOINT_FILE_VARS,
    ServiceInCode,
    env_names,
    find,
    pod_specs,
)

LOCAL_ONLY = ("127.0.0.1", "localhost", "local-development")
# Stand-ins for Secret values, which are never in the repository.
SECRET_VALUES = {
    ("edu-secrets", "mongo-url"): "mongodb://m-0.mongo:27017,m-1.mongo:27017,m-2.mongo:27017/"
    "?replicaSet=edu&authSource=admin&w=majority",
    ("edu-secrets", "pseudonym-key"): "pseudonym-key-from-secret",
    ("edu-smtp", "host"): "smtp.example.lv",
    ("edu-smtp", "port"): "587",
    ("edu-smtp", "username"): "edu",
    ("edu-smtp", "password"): "smtp-password-from-secret",
}


def _as_env(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def load_settings(
    cls: type[ServiceSettings], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    for key in list(os.environ):
        if key.startswith(("EDU_", "OTEL_")):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cls()


def check_fully_configured(
    svc: ServiceInCode, env: dict[str, str], settings: ServiceSettings
) -> None:
    names = env_names(svc.settings_cls)
    # Every variable the manifest sets lands in the field it is meant for.
    for key, value in env.items():
        assert key in names, f"{svc.name}: nothing reads {key}"
        assert _as_env(getattr(settings, names[key])) == value, f"{svc.name}: {key}"
    assert settings.http_host == "0.0.0.0"
    assert settings.http_port == svc.port
    assert settings.mongo_db
    assert settings.mongo_db.startswith("edu_")
    assert settings.kafka_idempotence is True
    assert settings.kafka_create_topics is False
    assert settings.kafka_replication == 3
    assert "replicaSet=" in settings.mongo_url
    assert len(settings.kafka_bootstrap.split(",")) >= 1
    assert settings.jwt_jwks_file is not None
    assert settings.jwt_jwks_file.is_absolute()
    assert settings.otel_exporter_otlp_endpoint
    assert settings.pseudonym_key.get_secret_value() != (
        type(settings).model_fields["pseudonym_key"].default.get_secret_value()
    )
    # Nothing is left at a value that only works on a developer's machine
    # (this catches a new URL setting a manifest forgot).
    for field in type(settings).model_fields:
        value = _as_env(getattr(settings, field))
        assert not any(marker in value for marker in LOCAL_ONLY), (
            f"{svc.name}: {field}={value!r} is a local default; set it in the manifests"
        )


def through_entrypoint(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """What the service process sees: the image's entrypoint reads *_FILE secrets."""
    runnable = dict(env)
    for var in ENTRYPOINT_FILE_VARS:
        if var in runnable:
            secret = tmp_path / Path(runnable[var]).name
            secret.write_text(f"secret-from-{secret.name}")
            runnable[var] = str(secret)
    out = subprocess.run(
        ["sh", str(DEPLOY / "docker-entrypoint.sh"), "env", "-0"],
        env={**runnable, "PATH": os.environ["PATH"]},
        capture_output=True,
        check=True,
    ).stdout.decode()
    seen = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    seen.pop("PATH", None)
    seen.pop("PWD", None)
    return seen


def test_compose_environment_configures_every_service(
    compose: dict[str, Any],
    services: dict[str, ServiceInCode],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, svc in services.items():
        declared = {k: str(v) for k, v in compose["services"][name]["environment"].items()}
        env = through_entrypoint(declared, tmp_path)
        assert "EDU_PSEUDONYM_KEY" in env
        assert "EDU_PSEUDONYM_KEY_FILE" not in env
        settings = load_settings(svc.settings_cls, env, monkeypatch)
        check_fully_configured(svc, env, settings)
        assert settings.kafka_bootstrap == "kafka-1:9092,kafka-2:9092,kafka-3:9092"


def _k8s_env(objects: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(find(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item["valueFrom"]
        if "secretKeyRef" in ref:
            key = (ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
            assert key in SECRET_VALUES, f"unknown secret reference {key}"
            env[item["name"]] = SECRET_VALUES[key]
        else:
            cm = ref["configMapKeyRef"]
            env[item["name"]] = find(objects, "ConfigMap", cm["name"])["data"][cm["key"]]
    return env


@pytest.mark.parametrize("rendering", ["k8s_base", "k8s_production"])
def test_kubernetes_environment_configures_every_service(
    rendering: str,
    request: pytest.FixtureRequest,
    services: dict[str, ServiceInCode],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    objects = request.getfixturevalue(rendering)
    for name, svc in services.items():
        deployment = find(objects, "Deployment", name)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = _k8s_env(objects, container)
        settings = load_settings(svc.settings_cls, env, monkeypatch)
        check_fully_configured(svc, env, settings)
        # The JWKS file lives in the mounted secret directory.
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        assert str(settings.jwks_path.parent) in mounts
        assert "subPath" not in mounts[str(settings.jwks_path.parent)], (
            "a subPath mount never sees a rotated key"
        )
    assert pod_specs(objects)
