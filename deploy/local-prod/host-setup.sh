#!/usr/bin/env bash
# Prepares this machine to build the images and play the manifests with podman
# (deploy/README.md, "local-prod"). Idempotent: installs only what is missing
# and writes only the containers.conf keys podman 4.3 needs here.
#
# - Debian's podman 4.3 with runc (crun fails on this host's hybrid cgroups),
#   netavark + aardvark-dns (the pods find each other by name on a bridge),
#   debootstrap (the base image is made from Debian's packages: no registry is
#   reachable).
# - /etc/containers/containers.conf: runtime runc, cgroupfs, default ulimits
#   (`kube play` takes no --ulimit, and a container may not raise its limits
#   above the host's: the infra container fails with "error setting rlimit").
set -euo pipefail

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -x /usr/lib/podman/netavark ] || command -v netavark >/dev/null 2>&1 || need+=(netavark)
[ -x /usr/lib/podman/aardvark-dns ] || command -v aardvark-dns >/dev/null 2>&1 || need+=(aardvark-dns)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
# The pods' infra ("pause") image is built locally around catatonit: nothing is pulled.
command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
command -v kubectl >/dev/null 2>&1 || { echo "host-setup: kubectl is required (kubectl kustomize renders the overlay)" >&2; exit 1; }
if ((${#need[@]})); then
  echo "host-setup: installing Debian packages: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

conf=/etc/containers/containers.conf
python3 - "$conf" <<'PY'
"""Set exactly the keys podman needs here, keeping whatever else the file says."""
import re
import sys
from pathlib import Path

path = Path(sys.argv[1])
wanted = {
    "engine": {"runtime": '"runc"', "cgroup_manager": '"cgroupfs"'},
    "containers": {"default_ulimits": '["nofile=1024:1024", "nproc=1024:1024"]'},
}
text = path.read_text() if path.exists() else ""
lines = text.splitlines()
changed = False
for table, keys in wanted.items():
    # Find the table's header, or add it at the end.
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == f"[{table}]")
    except StopIteration:
        lines += ["", f"[{table}]"]
        start = len(lines) - 1
        changed = True
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    for key, value in keys.items():
        pattern = re.compile(rf"^\s*{key}\s*=")
        hit = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        line = f"{key} = {value}"
        if hit is None:
            lines.insert(end, line)
            end += 1
            changed = True
        elif lines[hit].strip() != line:
            lines[hit] = line
            changed = True
if changed:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).strip() + "\n")
    print(f"host-setup: wrote {path}")
PY
