"""Play the rendered local-prod manifests with podman 4.3 (deploy/README.md, "local-prod").

    python deploy/local-prod/play.py up     # render, convert, kube play, wait for every probe
    python deploy/local-prod/play.py down   # remove everything `up` made (idempotent)

The source is ``kubectl kustomize deploy/k8s/overlays/local-prod``, never a
copy. A small conversion step stands between the rendering and ``podman kube
play``, for what podman 4.3 cannot do or ignores:

- ``secret:`` volumes make ``kube play`` panic, so every Secret or ConfigMap
  volume becomes read-only files on the host, written from the rendered object
  itself (its keys, ``items``, ``defaultMode``; group-owned by the pod's
  ``fsGroup`` as Kubernetes does) and mounted as a ``hostPath``; a ``subPath``
  mount becomes a ``hostPath`` of that one file;
- ``secretKeyRef`` reads a podman secret holding a JSON map of base64 values
  (the Secret kind it stores itself does not parse), so each rendered Secret is
  created that way under its rendered name;
- Services do not exist in podman: each Deployment is played on its own, on one
  bridge network, with its Services' names as network aliases;
- ``envFrom`` overrides ``env`` (Kubernetes: the other way round), so each
  ``envFrom`` is expanded into ``env`` entries with Kubernetes' precedence;
- ``emptyDir`` volumes become named volumes shared by every pod using the same
  name, so each is renamed ``<deployment>-<volume>``;
- readiness and startup probes are ignored (liveness becomes a health check
  that needs curl and systemd timers): `up` answers every probe itself, from the
  host to the pod's address as a kubelet would, and prints the time from the
  first ``kube play`` to every probe ready.

Kafka and MongoDB are played first and must be ready before the rest starts
(a cluster gets there by restarts; here it is quicker to wait); the gateway
last, since nginx resolves its upstreams' names when it starts.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
OVERLAY = REPO / "deploy" / "k8s" / "overlays" / "local-prod"
WORK = REPO / ".edu" / "local-prod"
NETWORK = "edu-local-prod"
FIRST = ("kafka", "mongodb")  # the backends the services need at start
LAST = ("gateway",)
STATE = WORK / "state.json"

Obj = dict[str, Any]


def log(message: str) -> None:
    print(f"[local-prod] {message}", flush=True)


def run(*argv: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}… failed: {proc.stderr.strip() or proc.stdout}")
    if not quiet and proc.returncode != 0:
        log(f"{' '.join(argv[:4])}…: {proc.stderr.strip()}")
    return proc


def render() -> list[Obj]:
    out = run("kubectl", "kustomize", str(OVERLAY)).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def by_kind(objects: list[Obj], kind: str) -> dict[str, Obj]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def secret_values(secret: Obj) -> dict[str, bytes]:
    values = {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}
    values.update({k: v.encode() for k, v in (secret.get("stringData") or {}).items()})
    return values


def config_values(config_map: Obj) -> dict[str, bytes]:
    values = {k: v.encode() for k, v in (config_map.get("data") or {}).items()}
    values.update({k: base64.b64decode(v) for k, v in (config_map.get("binaryData") or {}).items()})
    return values


def write_volume(directory: Path, values: dict[str, bytes], source: Obj, group: int) -> None:
    """The files Kubernetes would project for a secret/configMap volume."""
    directory.mkdir(parents=True, exist_ok=True)
    default_mode = source.get("defaultMode", 0o644)
    items = source.get("items") or [{"key": k, "path": k} for k in values]
    for item in items:
        target = directory / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(values[item["key"]])
        os.chown(target, 0, group)
        target.chmod(item.get("mode", default_mode))
    directory.chmod(0o755)


def convert(deployment: Obj, secrets: dict[str, Obj], config_maps: dict[str, Obj]) -> Obj:
    """The Deployment as podman 4.3 can play it (module docstring)."""
    d = copy.deepcopy(deployment)
    name = d["metadata"]["name"]
    pod = d["spec"]["template"]["spec"]
    security = pod.get("securityContext") or {}
    group = int(security.get("fsGroup", security.get("runAsGroup", 0)))
    converted: dict[str, Path] = {}
    volumes: list[Obj] = []
    for volume in pod.get("volumes") or []:
        vname = volume["name"]
        if "secret" in volume or "configMap" in volume:
            source = volume.get("secret") or volume["configMap"]
            ref = source.get("secretName") or source.get("name")
            values = (
                secret_values(secrets[ref])
                if "secret" in volume
                else config_values(config_maps[ref])
            )
            directory = WORK / "volumes" / name / vname
            write_volume(directory, values, source, group)
            converted[vname] = directory
            volumes.append(
                {"name": vname, "hostPath": {"path": str(directory), "type": "Directory"}}
            )
        elif "emptyDir" in volume:
            volumes.append({"name": f"{name}-{vname}", "emptyDir": volume["emptyDir"]})
        else:
            volumes.append(volume)
    renamed = {v["name"].removeprefix(f"{name}-") for v in volumes if "emptyDir" in v}
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        expand_env_from(container, secrets, config_maps)
        mounts = []
        for mount in container.get("volumeMounts") or []:
            m = dict(mount)
            if m["name"] in converted:
                # The kubelet mounts Secret and ConfigMap volumes read-only, always.
                m["readOnly"] = True
            if m["name"] in converted and m.get("subPath"):
                # One file of the volume, mounted where the subPath mount was.
                file_volume = f"{m['name']}-{len(volumes)}"
                path = converted[m["name"]] / m.pop("subPath")
                volumes.append(
                    {"name": file_volume, "hostPath": {"path": str(path), "type": "File"}}
                )
                m["name"] = file_volume
            elif m["name"] in renamed:
                m["name"] = f"{name}-{m['name']}"
            mounts.append(m)
        if mounts:
            container["volumeMounts"] = mounts
    pod["volumes"] = volumes
    return d


def expand_env_from(container: Obj, secrets: dict[str, Obj], config_maps: dict[str, Obj]) -> None:
    """``envFrom`` as explicit ``env`` entries, with Kubernetes' precedence: a
    later source wins over an earlier one, and ``env`` over every source.
    (podman 4.3 lets ``envFrom`` override ``env``: the portal's EDU_DATA_DIR
    became edu-shared's /tmp/edu, away from its mounted signing key.)"""
    explicit = {e["name"] for e in container.get("env") or []}
    merged: dict[str, Obj] = {}
    for source in container.pop("envFrom", None) or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            for key, value in (
                config_maps[source["configMapRef"]["name"]].get("data") or {}
            ).items():
                merged[prefix + key] = {"name": prefix + key, "value": value}
        elif "secretRef" in source:
            ref = source["secretRef"]["name"]
            for key in secret_values(secrets[ref]):
                merged[prefix + key] = {
                    "name": prefix + key,
                    "valueFrom": {"secretKeyRef": {"name": ref, "key": key}},
                }
    expanded = [entry for key, entry in merged.items() if key not in explicit]
    container["env"] = expanded + list(container.get("env") or [])


def podman_secret(name: str, secret: Obj) -> None:
    payload = {k: base64.b64encode(v).decode() for k, v in secret_values(secret).items()}
    run("podman", "secret", "rm", name, check=False, quiet=True)
    path = WORK / "podman-secret.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh)
    try:
        run("podman", "secret", "create", name, str(path))
    finally:
        path.unlink()


def referenced_config_maps(deployment: Obj) -> set[str]:
    names: set[str] = set()
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        for source in container.get("envFrom") or []:
            if "configMapRef" in source:
                names.add(source["configMapRef"]["name"])
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
            if ref:
                names.add(ref["name"])
    return names


def service_names(deployment: Obj, services: dict[str, Obj]) -> list[str]:
    labels = deployment["spec"]["template"]["metadata"].get("labels") or {}
    return [
        name
        for name, svc in services.items()
        if (selector := svc["spec"].get("selector")) and selector.items() <= labels.items()
    ]


def pod_address(pod_name: str) -> str:
    out = run("podman", "pod", "inspect", pod_name).stdout
    info = json.loads(out)
    info = info[0] if isinstance(info, list) else info
    infra = info["InfraContainerID"]
    net = json.loads(run("podman", "inspect", infra).stdout)[0]["NetworkSettings"]["Networks"]
    return str(net[NETWORK]["IPAddress"])


def probe_ok(address: str, container: Obj, probe: Obj) -> bool:
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}

    def port(value: Any) -> int:
        return int(ports[value]) if isinstance(value, str) else int(value)

    timeout = float(probe.get("timeoutSeconds", 1))
    if "httpGet" in probe:
        get = probe["httpGet"]
        url = f"http://{address}:{port(get['port'])}{get.get('path', '/')}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as r:
                return 200 <= int(r.status) < 400
        except (urllib.error.URLError, OSError):
            return False
    if "tcpSocket" in probe:
        try:
            with socket.create_connection((address, port(probe["tcpSocket"]["port"])), timeout):
                return True
        except OSError:
            return False
    raise RuntimeError(f"probe kind not handled: {probe}")


def wait_ready(pods: dict[str, Obj], timeout: float) -> None:
    """Until every container's startup, liveness and readiness probes answer."""
    pending: dict[tuple[str, str, str], tuple[str, Obj, Obj]] = {}
    for pod_name, deployment in pods.items():
        address = pod_address(pod_name)
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                if kind in container:
                    key = (pod_name, container["name"], kind)
                    pending[key] = (address, container, container[kind])
    deadline = time.monotonic() + timeout
    while pending:
        for key, (address, container, probe) in list(pending.items()):
            if probe_ok(address, container, probe):
                del pending[key]
        if not pending:
            return
        if time.monotonic() > deadline:
            for pod_name, container_name, kind in pending:
                logs = run(
                    "podman", "logs", "--tail", "30", f"{pod_name}-{container_name}", check=False
                )
                log(f"{pod_name}/{container_name}: {kind} not answered; last log lines:")
                print(logs.stdout + logs.stderr, file=sys.stderr)
            raise TimeoutError(f"probes not ready after {timeout:.0f}s: {sorted(pending)}")
        time.sleep(0.5)


def up(timeout: float) -> int:
    down(quiet=True)
    WORK.mkdir(parents=True, exist_ok=True)
    objects = render()
    rendered = WORK / "rendered.yaml"
    rendered.touch(mode=0o600)
    rendered.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    secrets = by_kind(objects, "Secret")
    config_maps = by_kind(objects, "ConfigMap")
    services = by_kind(objects, "Service")
    deployments = by_kind(objects, "Deployment")
    ignored = sorted(
        {o["kind"] for o in objects} - {"Secret", "ConfigMap", "Service", "Deployment"}
    )
    log(f"rendered {len(objects)} objects; podman does not run: {', '.join(ignored)}")
    state: dict[str, Any] = {"secrets": [], "files": [], "volumes": []}
    run("podman", "network", "create", NETWORK, check=False, quiet=True)
    for name, secret in secrets.items():
        podman_secret(name, secret)
        state["secrets"].append(name)
    STATE.write_text(json.dumps(state))
    started = time.monotonic()
    played: dict[str, Obj] = {}

    def play(name: str) -> None:
        deployment = convert(deployments[name], secrets, config_maps)
        documents = [config_maps[c] for c in sorted(referenced_config_maps(deployment))]
        path = WORK / f"{name}.yaml"
        path.write_text(yaml.safe_dump_all([*documents, deployment], sort_keys=False))
        state["files"].append(str(path))
        state["volumes"] += [
            v["name"] for v in deployment["spec"]["template"]["spec"]["volumes"] if "emptyDir" in v
        ]
        STATE.write_text(json.dumps(state))
        aliases = ",".join(f"alias={s}" for s in service_names(deployment, services))
        run(
            "podman",
            "kube",
            "play",
            "--network",
            f"{NETWORK}:{aliases}" if aliases else NETWORK,
            str(path),
        )
        played[f"{name}-pod-0"] = deployment

    first = [n for n in FIRST if n in deployments]
    for name in first:
        play(name)
    if first:
        wait_ready(played, timeout)
        log(
            f"{' and '.join(first)} ready {time.monotonic() - started:.1f}s after the first kube play"
        )
    # The gateway last: nginx resolves its upstreams' names when it starts
    # (a cluster's Services exist before any pod; here a name exists once played).
    rest = [n for n in deployments if n not in first]
    for name in sorted(rest, key=lambda n: n in LAST):
        play(name)
    wait_ready(played, timeout)
    elapsed = time.monotonic() - started
    (WORK / "ready-seconds").write_text(f"{elapsed:.1f}")
    log(f"all probes of {len(played)} pods ready {elapsed:.1f}s after the first kube play")
    return 0


def down(quiet: bool = False) -> int:
    if not STATE.exists():
        if not quiet:
            log("nothing to tear down")
        return 0
    state = json.loads(STATE.read_text())
    for path in reversed(state.get("files", [])):
        with contextlib.suppress(RuntimeError):
            run("podman", "kube", "down", path, check=False, quiet=True)
    for volume in state.get("volumes", []):
        run("podman", "volume", "rm", "-f", volume, check=False, quiet=True)
    for secret in state.get("secrets", []):
        run("podman", "secret", "rm", secret, check=False, quiet=True)
    run("podman", "network", "rm", "-f", NETWORK, check=False, quiet=True)
    shutil.rmtree(WORK / "volumes", ignore_errors=True)
    (WORK / "rendered.yaml").unlink(missing_ok=True)  # it holds the Secrets
    STATE.unlink()
    if not quiet:
        log("torn down")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down", "render"])
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds for the probes")
    args = parser.parse_args()
    if args.action == "render":
        print(yaml.safe_dump_all(render(), sort_keys=False))
        return 0
    return up(args.timeout) if args.action == "up" else down()


if __name__ == "__main__":
    sys.exit(main())
