"""Shared readers for the deployment tests: the services as the code defines
them, the compose file, a small kustomize renderer, and the nginx routing table.

Docker and a cluster are not available here, so everything is validated by
parsing: the point is that deploy/ can never drift from the code unnoticed."""

from __future__ import annotations

import copy
import importlib
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from edu_runtime.settings import ServiceSettings
from edu_tools.stack import NOTIFICATIONS, SERVICES
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

# The test modules import these helpers from ``tests.deploy.conftest`` (the name
# pytest's importlib mode gives this module, and the one mypy checks them under);
# ``deploy_checks`` is the older alias, kept for modules not yet moved over.
sys.modules.setdefault("deploy_checks", sys.modules[__name__])

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"


@dataclass(frozen=True)
class ServiceInCode:
    name: str  # registry-reader
    module: str  # edu_registry_reader
    dist: str  # edu-registry-reader (the workspace member's project name)
    env_prefix: str  # EDU_REGISTRY_READER_
    settings_cls: type[ServiceSettings]
    port: int  # the settings' default HTTP port


def _settings_class(module: str) -> type[ServiceSettings]:
    mod = importlib.import_module(f"{module}.settings")
    found = [
        obj
        for obj in vars(mod).values()
        if isinstance(obj, type)
        and issubclass(obj, ServiceSettings)
        and obj is not ServiceSettings
        and obj.__module__ == mod.__name__
    ]
    assert len(found) == 1, f"{module}.settings should define one ServiceSettings subclass"
    return found[0]


def _dist_name(module: str) -> str:
    for pyproject in REPO.glob("services/*/pyproject.toml"):
        if (pyproject.parent / "src" / module).is_dir():
            return str(tomllib.loads(pyproject.read_text())["project"]["name"])
    raise AssertionError(f"no workspace member ships {module}")


def _openapi_paths(module: str, settings_cls: type[ServiceSettings]) -> tuple[str, ...]:
    app = importlib.import_module(f"{module}.app").create_app(settings_cls())
    try:
        paths = app.openapi_schema.paths or {}
    except Exception as exc:  # the service's /schema would answer 500 too
        pytest.fail(f"{module}: its OpenAPI document cannot be built: {exc!r}"[:2000])
    return tuple(sorted(paths))


@pytest.fixture(scope="session")
def services() -> dict[str, ServiceInCode]:
    found: dict[str, ServiceInCode] = {}
    # notifications is deployed like the back-end services (no API behind the gateway).
    for spec in (*SERVICES, NOTIFICATIONS):
        cls = _settings_class(spec.module)
        found[spec.name] = ServiceInCode(
            name=spec.name,
            module=spec.module,
            dist=_dist_name(spec.module),
            env_prefix=cls.model_config.get("env_prefix") or "",
            settings_cls=cls,
            port=int(cls.model_fields["http_port"].default),
        )
    return found


@dataclass(frozen=True)
class FrontEndInCode:
    """The portal: deployed like a service (image, Deployment, probes), but no
    ``ServiceSettings`` (no Kafka, no gateway JWT to verify: it signs them)."""

    name: str
    module: str
    dist: str
    env_prefix: str
    settings_cls: type[BaseSettings]
    port: int


@pytest.fixture(scope="session")
def portal() -> FrontEndInCode:
    from edu_portal.settings import PortalSettings
    from edu_tools.stack import PORTAL

    return FrontEndInCode(
        name=PORTAL.name,
        module=PORTAL.module,
        dist=_dist_name(PORTAL.module),
        env_prefix=PortalSettings.model_config.get("env_prefix") or "",
        settings_cls=PortalSettings,
        port=int(PortalSettings.model_fields["http_port"].default),
    )


def portal_env_names() -> dict[str, str]:
    """Environment variable → PortalSettings field (as ``env_names`` does)."""
    from edu_portal.settings import PortalSettings

    prefix = PortalSettings.model_config.get("env_prefix") or ""
    names: dict[str, str] = {}
    for field, info in PortalSettings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update({c: field for c in alias.choices if isinstance(c, str) and c.isupper()})
        else:
            names[f"{prefix}{field}".upper()] = field
    return names


@pytest.fixture(scope="session")
def openapi_paths(services: dict[str, ServiceInCode]) -> dict[str, tuple[str, ...]]:
    """Every path of every service's OpenAPI document (built from the app, no server)."""
    return {name: _openapi_paths(s.module, s.settings_cls) for name, s in services.items()}


def env_names(cls: type[ServiceSettings]) -> dict[str, str]:
    """Environment variable → settings field, as pydantic-settings reads them:
    an explicit validation alias wins; otherwise env_prefix + FIELD."""
    prefix = cls.model_config.get("env_prefix") or ""
    names: dict[str, str] = {}
    for field, info in cls.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            for choice in alias.choices:
                if isinstance(choice, str) and choice.isupper():
                    names[choice] = field
        elif isinstance(alias, str):
            names[alias] = field
        else:
            names[f"{prefix}{field}".upper()] = field
    return names


# Read by the images' entrypoint (deploy/docker-entrypoint.sh), not by the settings.
ENTRYPOINT_FILE_VARS = {
    "EDU_PSEUDONYM_KEY_FILE": "EDU_PSEUDONYM_KEY",
    "EDU_MONGO_URL_FILE": "EDU_MONGO_URL",
    "EDU_PORTAL_CSRF_SECRET_FILE": "EDU_PORTAL_CSRF_SECRET",
    "EDU_PORTAL_OIDC_CLIENT_SECRET_FILE": "EDU_PORTAL_OIDC_CLIENT_SECRET",
}


# --------------------------------------------------------------------- compose
@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


# -------------------------------------------------------------------- kustomize
def _deep_merge(target: Any, patch: Any) -> Any:
    """Strategic merge as far as our patches need it: maps merge, lists of
    named items (containers, env, ports, volumes) merge by name, other lists
    are replaced."""
    if isinstance(target, dict) and isinstance(patch, dict):
        for key, value in patch.items():
            target[key] = _deep_merge(target[key], value) if key in target else value
        return target
    if (
        isinstance(target, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and "name" in i for i in target + patch)
    ):
        by_name = {i["name"]: i for i in target}
        for item in patch:
            if item["name"] in by_name:
                _deep_merge(by_name[item["name"]], item)
            else:
                target.append(item)
        return target
    return copy.deepcopy(patch)


def _env_file(path: Path) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def pod_specs(objects: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(object, pod spec) of every workload."""
    found = []
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            found.append((obj, obj["spec"]["template"]["spec"]))
    return found


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """Render a kustomization the way `kubectl kustomize` does for the features
    deploy/k8s uses (resources, configMapGenerator incl. merge, patches,
    images, namespace, labels), without the generators' hash suffixes."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    known = {
        "apiVersion",
        "kind",
        "resources",
        "configMapGenerator",
        "patches",
        "images",
        "namespace",
        "labels",
    }
    assert set(spec) <= known, f"renderer does not know {set(spec) - known}"
    objects: list[dict[str, Any]] = []
    for resource in spec.get("resources", []):
        path = (directory / resource).resolve()
        if path.is_dir():
            objects.extend(kustomize(path))
        else:
            objects.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    for gen in spec.get("configMapGenerator", []):
        data: dict[str, str] = {}
        for env in gen.get("envs", []):
            data.update(_env_file(directory / env))
        for file in gen.get("files", []):
            data[Path(file).name] = (directory / file).read_text()
        for literal in gen.get("literals", []):
            key, _, value = literal.partition("=")
            data[key] = value
        existing = [
            o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == gen["name"]
        ]
        if gen.get("behavior") == "merge":
            assert existing, f"merge into unknown ConfigMap {gen['name']}"
            existing[0]["data"].update(data)
        else:
            assert not existing, f"ConfigMap {gen['name']} generated twice"
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": gen["name"]},
                    "data": data,
                }
            )
    for patch in spec.get("patches", []):
        for doc in yaml.safe_load_all((directory / patch["path"]).read_text()):
            targets = [
                o
                for o in objects
                if o["kind"] == doc["kind"] and o["metadata"]["name"] == doc["metadata"]["name"]
            ]
            assert len(targets) == 1, f"patch target {doc['kind']}/{doc['metadata']['name']}"
            _deep_merge(targets[0], doc)
    for image in spec.get("images", []):
        matched = False
        for _, pod in pod_specs(objects):
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    matched = True
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
        assert matched, f"images: {image['name']} matches no container"
    for group in spec.get("labels", []):
        for obj in objects:
            obj["metadata"].setdefault("labels", {}).update(group["pairs"])
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] != "Namespace":
                obj["metadata"]["namespace"] = spec["namespace"]
    return objects


@pytest.fixture(scope="session")
def k8s_base() -> list[dict[str, Any]]:
    return kustomize(K8S / "base")


@pytest.fixture(scope="session")
def k8s_production() -> list[dict[str, Any]]:
    return kustomize(K8S / "overlays" / "production")


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    hits = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(hits) == 1, f"expected one {kind}/{name}, found {len(hits)}"
    return hits[0]


# ------------------------------------------------------------------------ nginx
@dataclass(frozen=True)
class Location:
    modifier: str  # "" (prefix), "=", "^~", "~", "~*"
    path: str
    upstream: str | None  # proxy_pass target, None for a local answer
    body: str


@dataclass(frozen=True)
class NginxConfig:
    text: str
    upstreams: dict[str, tuple[str, int]]
    locations: tuple[Location, ...]

    def route(self, path: str) -> Location:
        """nginx's choice for ``path`` among our locations: an exact match, else
        the longest matching prefix (we use no regex locations)."""
        for loc in self.locations:
            if loc.modifier == "=" and loc.path == path:
                return loc
        prefixes = [
            loc
            for loc in self.locations
            if loc.modifier in ("", "^~") and path.startswith(loc.path)
        ]
        return max(prefixes, key=lambda loc: len(loc.path))


def parse_nginx(text: str) -> NginxConfig:
    without_comments = re.sub(r"#[^\n]*", "", text)
    upstreams = {
        m.group(1): (m.group(2), int(m.group(3)))
        for m in re.finditer(
            r"upstream\s+(\S+)\s*\{[^}]*?server\s+([\w.-]+):(\d+)", without_comments
        )
    }
    locations = []
    for m in re.finditer(r"location\s+(=|\^~|~\*|~)?\s*(\S+)\s*\{([^}]*)\}", without_comments):
        proxy = re.search(r"proxy_pass\s+https?://([\w.-]+)\s*;", m.group(3))
        locations.append(
            Location(m.group(1) or "", m.group(2), proxy.group(1) if proxy else None, m.group(3))
        )
    return NginxConfig(text, upstreams, tuple(locations))


@pytest.fixture(scope="session")
def nginx() -> NginxConfig:
    return parse_nginx((K8S / "base" / "config" / "nginx.conf").read_text())


def topic_specs(value: str) -> dict[str, tuple[int, int]]:
    """TOPICS of create-topics.sh: name → (partitions, retention days)."""
    specs: dict[str, tuple[int, int]] = {}
    for item in value.split():
        name, partitions, days = item.split(":")
        specs[name] = (int(partitions), int(days))
    return specs
