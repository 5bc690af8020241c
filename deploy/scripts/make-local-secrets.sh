#!/bin/sh
# Creates the two secrets deploy/compose.yaml mounts, for a local or test
# deployment only (production keys come from the portal gateway's operators and
# the secret store; see RUNBOOK.md):
#   deploy/secrets/gateway-jwks.json  public keys of a freshly generated gateway key
#   deploy/secrets/pseudonym-key      random HMAC key for pseudonyms
#   deploy/secrets/portal-csrf-secret random secret the portal signs CSRF cookies with
#   deploy/secrets/gateway-signing-key.pem, gateway-kid  the portal's copy of the private key
# The matching private key stays in deploy/secrets/gateway/keys/ so that
# `edu token --data-dir deploy/secrets/gateway` mints tokens the stack accepts.
#
# With --local-prod, instead: the files the local-prod overlay's secretGenerator
# reads (deploy/k8s/overlays/local-prod/secrets/, git-ignored), the signing key
# with its jwks.json as production mounts them (`make prod-check` runs this).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
if [ "${1:-}" = "--local-prod" ]; then
  out="$here/k8s/overlays/local-prod/secrets"
  mkdir -p "$out"
  "$repo/.venv/bin/python" - "$out" <<'PY'
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from edu_runtime.signing import GatewayKeys

out = Path(sys.argv[1])
if not all((out / n).is_file() for n in ("gateway-ed25519.pem", "kid", "jwks.json")):
    # A fresh gateway key pair: the private key and kid for the portal, the
    # public JWKS for every service (and beside the key, as production mounts it).
    with tempfile.TemporaryDirectory() as tmp:
        keys = GatewayKeys(Path(tmp)).ensure()
        for src in (keys.private_path, keys.kid_path, keys.jwks_path):
            shutil.copyfile(src, out / src.name)
values = {
    "mongo-url": lambda: "mongodb://mongodb:27017/?directConnection=true",
    "pseudonym-key": lambda: secrets.token_urlsafe(48),
    "csrf-secret": lambda: secrets.token_urlsafe(48),
    "oidc-client-secret": lambda: secrets.token_urlsafe(32),
    # The local mail sink (mail.yaml): plain SMTP, no login, so both empty.
    "smtp-host": lambda: "mail",
    "smtp-port": lambda: "2525",
    "smtp-username": lambda: "",
    "smtp-password": lambda: "",
}
for name, make in values.items():
    if not (out / name).is_file():
        (out / name).write_text(make())
PY
  find "$out" -type f ! -name .gitignore -exec chmod 0600 {} +
  echo "local-prod secrets in $out (not committed)"
  exit 0
fi
secrets="$here/secrets"
mkdir -p "$secrets"
"$repo/.venv/bin/python" - "$secrets" <<'PY'
import sys
from pathlib import Path
from edu_tools.gateway import GatewayKeys
keys = GatewayKeys(Path(sys.argv[1]) / "gateway").ensure()
(Path(sys.argv[1]) / "gateway-jwks.json").write_text(keys.jwks_path.read_text())
PY
if [ ! -s "$secrets/pseudonym-key" ]; then
  "$repo/.venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(48), end='')" \
    > "$secrets/pseudonym-key"
fi
if [ ! -s "$secrets/portal-csrf-secret" ]; then
  "$repo/.venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(48), end='')" \
    > "$secrets/portal-csrf-secret"
fi
# Readable by the services' non-root user (uid 10001) through the bind mount;
# the portal signs with the gateway's private key (gateway-signing-key.pem, kid;
# local and test deployments only: production keeps it in a Secret, RUNBOOK.md).
chmod 0644 "$secrets/gateway-jwks.json" "$secrets/pseudonym-key" "$secrets/portal-csrf-secret"
cp "$secrets/gateway/keys/gateway-ed25519.pem" "$secrets/gateway-signing-key.pem"
cp "$secrets/gateway/keys/kid" "$secrets/gateway-kid"
chmod 0644 "$secrets/gateway-signing-key.pem" "$secrets/gateway-kid"
echo "secrets in $secrets (not committed)"
