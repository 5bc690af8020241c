#!/usr/bin/env bash
# `make images`: every image, built here with podman from the package
# registries only (deploy/README.md, "local-prod"):
#   localhost/edu-python:3.11-bookworm   base from Debian's packages (base-image.sh, cached)
#   localhost/edu-uv:<version>           the uv binary of its PyPI wheel (.tools/bin/uv)
#   localhost/edu-<service>:local        deploy/Dockerfile, one --target per service
#   localhost/edu-{kafka,mongodb,gateway,oidc-provider,mail}:local   deploy/local-prod/Dockerfile
# The Dockerfiles keep their official bases as defaults; only the build
# arguments point at the local ones. Prints each image's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${EDU_IMAGE_TAG:-local}
base=${EDU_BASE_IMAGE:-localhost/edu-python:3.11-bookworm}
export EDU_BASE_IMAGE=$base

deploy/local-prod/host-setup.sh
deploy/local-prod/base-image.sh

uv_version=$(.tools/bin/uv --version | cut -d' ' -f2)
uv_image=localhost/edu-uv:$uv_version
if ! podman image exists "$uv_image"; then
  dir=$(mktemp -d)
  cp .tools/bin/uv "$dir/uv"
  tar -C "$dir" -c uv | podman import --quiet - "$uv_image" >/dev/null
  rm -rf "$dir"
fi

# PyPI is reached over HTTPS; a host behind a TLS-inspecting proxy trusts its CA
# through the system bundle, which the build stages borrow (never the images).
ca=/etc/ssl/certs/ca-certificates.crt
common=(--format docker --ignorefile deploy/Dockerfile.dockerignore
  --build-arg "PYTHON_IMAGE=$base" --build-arg "UV_IMAGE=$uv_image")
if [ -f "$ca" ]; then
  common+=(--build-arg UV_NATIVE_TLS=true -v "$ca:/etc/ssl/certs/ca-certificates.crt:ro")
fi

build() {  # dockerfile target
  local started=$SECONDS
  if ! podman build --quiet "${common[@]}" -f "$1" --target "$2" -t "localhost/edu-$2:$tag" . \
      >/tmp/edu-image-build-$2.log 2>&1; then
    tail -40 /tmp/edu-image-build-$2.log >&2
    echo "image edu-$2: build failed (log /tmp/edu-image-build-$2.log)" >&2
    return 1
  fi
  echo "  built localhost/edu-$2:$tag in $((SECONDS - started))s"
}

started=$SECONDS
for target in registry-reader applications documents retention notifications portal; do
  build deploy/Dockerfile "$target"
done
for target in kafka mongodb gateway oidc-provider mail; do
  build deploy/local-prod/Dockerfile "$target"
done
echo "images built in $((SECONDS - started))s:"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
  | grep -E "^localhost/edu-[a-z-]+:($tag|3\.11-bookworm) " | sort \
  | awk '{ printf "  %-38s %s %s\n", $1, $2, $3 }'
