#!/bin/sh
# Secrets arrive as files (compose secrets, Kubernetes secret volumes); the
# services read their settings from the environment. For each EDU_*_FILE
# variable below, export the file's content under the name without _FILE, so
# no secret ever has to sit in a compose file, a manifest or `docker inspect`.
set -eu
for name in EDU_PSEUDONYM_KEY EDU_MONGO_URL EDU_PORTAL_CSRF_SECRET EDU_PORTAL_OIDC_CLIENT_SECRET \
    EDU_NOTIFICATIONS_SMTP_PASSWORD; do
  eval "file=\${${name}_FILE:-}"
  if [ -n "$file" ]; then
    value=$(cat "$file")
    export "$name=$value"
    unset "${name}_FILE"
  fi
done
exec "$@"
