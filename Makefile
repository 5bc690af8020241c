# The two commands a newcomer needs: `make up` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: up test bootstrap lint typecheck unit schemas bench lock images prod-check

up: bootstrap
	$(VENV)/edu up

test: bootstrap lint typecheck
	$(VENV)/pytest

bootstrap:
	@scripts/bootstrap.sh

lint: bootstrap
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

typecheck: bootstrap
	$(VENV)/mypy -p edu_contracts -p edu_runtime -p edu_tools -p edu_registry_reader -p edu_applications -p edu_documents -p edu_retention -p edu_portal -p edu_notifications
	$(VENV)/mypy deploy/local-prod/play.py deploy/local-prod/oidc_provider.py deploy/local-prod/mail_sink.py
	@# The tests too. Test directories have no __init__.py and share file names
	@# (conftest.py, test_rules.py), so mypy names modules by path: the root's trees as
	@# tests.*, contracts.tests.*, runtime.tests.*; each service's from its own
	@# directory as tests.* (one run each, sharing the cache).
	$(VENV)/mypy --explicit-package-bases contracts/tests runtime/tests tests
	@for d in services/*/tests; do \
	  compgen -G "$$d/*.py" > /dev/null || continue; \
	  echo "mypy $$d"; \
	  (cd $$(dirname $$d) && $(CURDIR)/$(VENV)/mypy --config-file $(CURDIR)/pyproject.toml \
	    --cache-dir $(CURDIR)/.mypy_cache --explicit-package-bases tests) || exit 1; \
	done

# Regenerate the committed JSON Schemas and AsyncAPI document after a contract change.
schemas: bootstrap
	$(VENV)/edu schemas write

# Every benchmark in turn with its defaults (minutes, not seconds), each figure beside
# the last committed one (docs/benchmarks.json); `edu bench all --help` for the rest.
bench: bootstrap
	$(VENV)/edu bench all --profile full

# Re-resolve dependencies after editing a pyproject.toml.
lock:
	@scripts/bootstrap.sh || true
	UV_PYTHON_DOWNLOADS=never .tools/bin/uv lock --python python3

# Every image, built here with podman from Debian's and PyPI's packages only
# (deploy/README.md, "local-prod"); prints each image's size.
images: bootstrap
	deploy/local-prod/images.sh

# The production manifests proven on this machine: images, the local-prod overlay
# played with podman, every probe, the smoke through the gateway, torn down always.
prod-check:
	deploy/local-prod/prod-check.sh
