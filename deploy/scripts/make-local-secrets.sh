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
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
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
