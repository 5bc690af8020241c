"""A deployable package is exactly what its image runs: everything it imports is
declared by it (directly or through its declared dependencies), and nothing
imports the dev tools, which depend on every service (no circle)."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
# Every workspace member an image installs (tools is the dev package: not here).
MEMBERS = sorted(
    [
        REPO / "contracts",
        REPO / "runtime",
        *(p.parent for p in REPO.glob("services/*/pyproject.toml")),
    ]
)


def _workspace_modules() -> dict[str, list[str]]:
    """Module → distribution for the workspace's own (editable) packages, which
    ``packages_distributions`` does not list."""
    found: dict[str, list[str]] = {}
    for pyproject in [*REPO.glob("*/pyproject.toml"), *REPO.glob("services/*/pyproject.toml")]:
        data = tomllib.loads(pyproject.read_text())
        wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
        for package in wheel.get("wheel", {}).get("packages", []):
            found[Path(package).name] = [data["project"]["name"]]
    return found


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _closure(dist: str, extras: frozenset[str] = frozenset()) -> frozenset[str]:
    """``dist`` and every distribution its installed requirements pull in."""
    found = {_norm(dist)}
    for line in metadata.requires(dist) or []:
        req = Requirement(line)
        markers = [{"extra": e} for e in extras] or [{"extra": ""}]
        if req.marker is not None and not any(req.marker.evaluate(m) for m in markers):
            continue
        found |= _closure(_norm(req.name), frozenset(req.extras))
    return frozenset(found)


def _imports(source_dir: Path) -> dict[str, set[str]]:
    """Top-level module → files importing it (absolute imports, lazy ones too)."""
    found: dict[str, set[str]] = {}
    for path in sorted(source_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.partition(".")[0], set()).add(str(path.relative_to(REPO)))
    return found


@pytest.mark.parametrize("member", MEMBERS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_import_of_a_deployable_package_is_declared(member: Path) -> None:
    project = tomllib.loads((member / "pyproject.toml").read_text())["project"]
    declared = _closure(_norm(project["name"]))
    providers = {**metadata.packages_distributions(), **_workspace_modules()}
    undeclared: list[str] = []
    for module, files in sorted(_imports(member / "src").items()):
        if module == "__future__" or module in sys.stdlib_module_names:
            continue
        dists = {_norm(d) for d in providers.get(module, [])}
        assert dists, f"{module} (imported by {sorted(files)}) is not installed at all"
        if not dists & declared:
            undeclared.append(f"{module} ({', '.join(sorted(dists))}) in {sorted(files)}")
    assert not undeclared, f"{project['name']} imports what it does not declare: {undeclared}"


@pytest.mark.parametrize("member", MEMBERS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_deployable_package_imports_the_dev_tools(member: Path) -> None:
    assert "edu_tools" not in _imports(member / "src")
