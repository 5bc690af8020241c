# The two commands a newcomer needs: `make up` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: up test bootstrap lint typecheck unit schemas bench lock

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
	$(VENV)/mypy -p edu_contracts -p edu_runtime -p edu_tools -p edu_registry_reader -p edu_applications -p edu_documents -p edu_retention

# Regenerate the committed JSON Schemas and AsyncAPI document after a contract change.
schemas: bootstrap
	$(VENV)/edu schemas write

# Every benchmark in turn (each prints its figures and its budget; minutes, not seconds).
bench: bootstrap
	$(VENV)/edu bench applications
	$(VENV)/edu registry bench
	$(VENV)/edu bench documents
	$(VENV)/edu retention bench

# Re-resolve dependencies after editing a pyproject.toml.
lock:
	@scripts/bootstrap.sh || true
	UV_PYTHON_DOWNLOADS=never .tools/bin/uv lock --python python3
