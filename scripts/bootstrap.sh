#!/usr/bin/env bash
# Installs whatever the project needs and is missing, and nothing else, so it is
# cheap to run before every `make up` / `make test`. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8

# 1. Debian packages: poppler-utils (pdftotext/pdftoppm prove the PDFs in tests),
#    DejaVu fonts (the only Latvian-capable TrueType font the PDFs embed),
#    nginx (the local API gateway), Chromium (the browser tests drive it through
#    Playwright; Playwright's own browser download cannot work here) and
#    Prometheus (promtool validates deploy/'s rules; `make up` can run it).
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if ((${#need[@]})); then
  echo "bootstrap: installing Debian packages: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. uv, pinned, in a private tool venv (never on the system Python).
python3 - <<'PY' || { echo "bootstrap: Python >= 3.11 is required (python3 is $(python3 --version))" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
if ! [ -x .tools/bin/uv ] || [ "$(.tools/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "bootstrap: installing uv $UV_VERSION into .tools/"
  python3 -m venv .tools
  .tools/bin/pip install -q "uv==$UV_VERSION"
fi

# 3. The workspace virtualenv in .venv, exactly as uv.lock pins it.
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv
.tools/bin/uv sync --frozen --all-packages --python python3 --quiet
