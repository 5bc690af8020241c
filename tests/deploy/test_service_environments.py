"""Every deployable package runs with what it declares: its environment is
built the way its image builds it (``uv sync --frozen --no-dev --no-editable
--package …``, deploy/Dockerfile) into a fresh virtual environment, and every
entry point it declares (``[project.scripts]``: services and operator CLIs)
imports there. A CLI importing a package only the dev tools declare (typer,
say) fails here, not in production."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UV = REPO / ".tools" / "bin" / "uv"
PACKAGES = sorted(p.parent for p in REPO.glob("services/*/pyproject.toml"))


def _project(path: Path) -> dict[str, object]:
    data = tomllib.loads((path / "pyproject.toml").read_text())
    project: dict[str, object] = data["project"]
    return project


@pytest.mark.skipif(not UV.exists(), reason="scripts/bootstrap.sh installs uv in .tools/")
@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_entry_points_import_in_the_image_environment(package: Path, tmp_path: Path) -> None:
    project = _project(package)
    name = str(project["name"])
    scripts = dict(project.get("scripts", {}))  # type: ignore[call-overload]
    venv = tmp_path / "venv"
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_OFFLINE": "1",  # the cache bootstrap filled: no network at run time
    }
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [str(UV), "sync", "--frozen", "--no-dev", "--no-editable", "--package", name, "-q"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    targets = [str(t) for t in scripts.values()]
    assert targets, f"{name} declares no entry point"
    check = (
        "import importlib, sys\n"
        "for target in sys.argv[1:]:\n"
        "    module, _, attr = target.partition(':')\n"
        "    assert callable(getattr(importlib.import_module(module), attr)), target\n"
    )
    # -I: only the built environment, not this checkout or PYTHONPATH.
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", check, *targets],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
