#!/usr/bin/env bash
# `make prod-check`: the production manifests proven on this machine, in one
# command (deploy/README.md, "local-prod"): build every image, render the
# local-prod overlay, play it with podman, wait for every probe, run the
# black-box smoke through the gateway container, and always tear it all down.
# Prints a summary; exits non-zero when any step fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
images_s="-" ready_s="-" smoke="not run" result=1
step_failed=""

summary() {
  .venv/bin/python deploy/local-prod/play.py down >/dev/null 2>&1 || true
  [ -f .edu/local-prod/ready-seconds ] && ready_s=$(cat .edu/local-prod/ready-seconds)
  echo
  echo "== prod-check summary =="
  echo "images built:                 ${images_s}s"
  echo "kube play -> all probes ready: ${ready_s}s"
  echo "smoke through the gateway:    $smoke"
  echo "total:                        $((SECONDS - started))s"
  if [ -n "$step_failed" ]; then echo "FAILED at: $step_failed"; else echo "OK"; fi
  echo "(everything played was torn down)"
}
trap summary EXIT

fail() { step_failed=$1; exit 1; }

scripts/bootstrap.sh || fail "bootstrap"
t=$SECONDS
deploy/local-prod/images.sh || fail "images"
images_s=$((SECONDS - t))
deploy/scripts/make-local-secrets.sh --local-prod || fail "secrets"
rm -f .edu/local-prod/ready-seconds
.venv/bin/python deploy/local-prod/play.py up || fail "kube play / probes"
smoke="failed"
EDU_PROD_GATEWAY=http://127.0.0.1:18080 EDU_PROD_OIDC=http://127.0.0.1:18090 \
  .venv/bin/pytest tests/production -q -p no:cacheprovider || fail "smoke"
smoke="passed"
