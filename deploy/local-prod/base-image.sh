#!/usr/bin/env bash
# The local stand-in for python:3.11-slim-bookworm: no container registry is
# reachable here, so the base is made from Debian's packages (debootstrap
# bookworm minbase + python3.11 + venv + CA certificates) and imported into
# podman as localhost/edu-python:3.11-bookworm. Cached: nothing is done when
# the image exists (EDU_REBUILD_BASE=1 makes it again).
set -euo pipefail
image=${EDU_BASE_IMAGE:-localhost/edu-python:3.11-bookworm}
if [ -z "${EDU_REBUILD_BASE:-}" ] && podman image exists "$image"; then
  echo "base image $image exists (EDU_REBUILD_BASE=1 to make it again)"
  exit 0
fi
mirror=${EDU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d /var/tmp/edu-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
started=$(date +%s)
echo "debootstrap bookworm minbase into $root"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# The official image's interpreter path: the Dockerfile (and venvs made in it)
# use /usr/local/bin/python3.11.
ln -sf /usr/bin/python3.11 "$root/usr/local/bin/python3.11"
ln -sf /usr/bin/python3 "$root/usr/local/bin/python3"
ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
# No package lists or caches in the image (apt-get update works again in a build).
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/locale/*
tar --numeric-owner -C "$root" -c . | podman import --quiet \
  --change 'CMD ["/usr/bin/python3"]' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$image" >/dev/null
echo "base image $image made in $(( $(date +%s) - started ))s"
