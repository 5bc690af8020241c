"""deploy/Dockerfile: one target per service, built from the locked workspace,
slim and non-root at run time, with health checks and (documents) the fonts."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from edu_documents.rendering import fonts

from tests.deploy.conftest import FrontEndInCode, ServiceInCode

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
REPO = DEPLOY.parent


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], dict[str, Stage]]:
    joined = re.sub(r"\\\n", " ", text)
    args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and current is None:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            m = re.fullmatch(r"(\S+)\s+AS\s+(\S+)", rest.strip(), re.IGNORECASE)
            assert m, f"every stage is named: {line}"
            base = re.sub(r"\$\{(\w+)\}", lambda g: args[g.group(1)], m.group(1))
            current = stages[m.group(2)] = Stage(m.group(2), base)
        else:
            assert current is not None, f"instruction before FROM: {line}"
            current.instructions.append((keyword, rest.strip()))
    return args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], dict[str, Stage]]:
    return parse_dockerfile((DEPLOY / "Dockerfile").read_text())


def deployed(
    services: dict[str, ServiceInCode], portal: FrontEndInCode
) -> list[ServiceInCode | FrontEndInCode]:
    """Every image: the back-end services and the portal (the front end)."""
    return [*services.values(), portal]


def lineage(stages: dict[str, Stage], name: str) -> list[Stage]:
    chain = [stages[name]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain


def test_every_service_has_a_target_that_runs_its_module(
    dockerfile: tuple[dict[str, str], dict[str, Stage]],
    services: dict[str, ServiceInCode],
    portal: FrontEndInCode,
) -> None:
    _, stages = dockerfile
    for svc in deployed(services, portal):
        assert svc.name in stages, f"no --target {svc.name}"
        stage = stages[svc.name]
        assert json.loads(stage.all("CMD")[-1]) == ["python", "-m", svc.module]
        assert (REPO / "services" / svc.name / "src" / svc.module / "__main__.py").is_file()


def test_build_stage_installs_exactly_the_service_from_the_lock(
    dockerfile: tuple[dict[str, str], dict[str, Stage]],
    services: dict[str, ServiceInCode],
    portal: FrontEndInCode,
) -> None:
    _, stages = dockerfile
    lock = (REPO / "uv.lock").read_text()
    for svc in deployed(services, portal):
        run_lines = " ".join(stages[f"build-{svc.name}"].all("RUN"))
        assert "uv sync --frozen --no-dev --no-editable" in run_lines
        assert f"--package {svc.dist}" in run_lines
        assert f'name = "{svc.dist}"' in lock
        copies = stages[svc.name].all("COPY")
        assert any(f"--from=build-{svc.name}" in c and "/app/.venv" in c for c in copies)


def test_runtime_images_are_slim_non_root_without_build_tools(
    dockerfile: tuple[dict[str, str], dict[str, Stage]],
    services: dict[str, ServiceInCode],
    portal: FrontEndInCode,
) -> None:
    args, stages = dockerfile
    python_image = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*", python_image)
    for svc in deployed(services, portal):
        chain = lineage(stages, svc.name)
        assert chain[-1].base == python_image
        users = [u for s in reversed(chain) for u in s.all("USER")]
        assert users, f"{svc.name} sets no USER"
        uid = users[-1].split(":")[0]
        assert uid.isdigit(), f"{svc.name}: numeric uid, so runAsNonRoot can check it"
        assert int(uid) != 0, f"{svc.name} runs as root"
        text = " ".join(args for s in chain for _, args in s.instructions)
        assert "--from=uv" not in text, "uv must stay in the build stages"
        assert "uv sync" not in text
        for tool in ("build-essential", "gcc", "git "):
            assert tool not in text


def test_health_checks_hit_health_live_on_the_service_port(
    dockerfile: tuple[dict[str, str], dict[str, Stage]],
    services: dict[str, ServiceInCode],
    portal: FrontEndInCode,
) -> None:
    _, stages = dockerfile
    for svc in deployed(services, portal):
        stage = stages[svc.name]
        checks = stage.all("HEALTHCHECK")
        assert len(checks) == 1
        assert f"http://127.0.0.1:{svc.port}/health/live" in checks[0]
        env = " ".join(stage.all("ENV"))
        assert f"{svc.env_prefix}HTTP_PORT={svc.port}" in env
        assert f"{svc.env_prefix}HTTP_HOST=0.0.0.0" in env
        assert stage.all("EXPOSE") == [str(svc.port)]


def test_documents_image_has_the_fonts_its_renderer_loads(
    dockerfile: tuple[dict[str, str], dict[str, Stage]],
) -> None:
    _, stages = dockerfile
    runs = " ".join(stages["documents"].all("RUN"))
    # Debian ships DejaVu Sans in two packages: regular and bold in -core, the
    # oblique faces in -extra. The built image refused to start with -core alone.
    packages = {"fonts-dejavu-core": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")}
    packages["fonts-dejavu-extra"] = ("DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
    needed = set(fonts._FILES.values())
    provided = {f for package, files in packages.items() if package in runs for f in files}
    assert needed <= provided, f"no package installs {sorted(needed - provided)}"
    # Debian's fonts-dejavu-core installs exactly where the renderer looks.
    assert Path("/usr/share/fonts/truetype/dejavu") == fonts.DEFAULT_FONT_DIR
    others = " ".join(" ".join(stages[s].all("RUN")) for s in stages if s != "documents")
    assert "fonts-dejavu" not in others


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    for entry in (".venv", ".edu", ".git", "deploy/secrets"):
        assert entry in ignored


def test_entrypoint_turns_secret_files_into_settings(tmp_path: Path) -> None:
    secret = tmp_path / "pseudonym_key"
    secret.write_text("k3y-from-file")
    env = {"PATH": os.environ["PATH"], "EDU_PSEUDONYM_KEY_FILE": str(secret)}
    out = subprocess.run(
        ["sh", str(DEPLOY / "docker-entrypoint.sh"), "env"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert "EDU_PSEUDONYM_KEY=k3y-from-file" in out
    assert not any(line.startswith("EDU_PSEUDONYM_KEY_FILE=") for line in out)
    # The portal's secrets arrive the same way.
    csrf = tmp_path / "portal_csrf_secret"
    csrf.write_text("csrf-from-file")
    portal = subprocess.run(
        ["sh", str(DEPLOY / "docker-entrypoint.sh"), "env"],
        env={"PATH": os.environ["PATH"], "EDU_PORTAL_CSRF_SECRET_FILE": str(csrf)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert "EDU_PORTAL_CSRF_SECRET=csrf-from-file" in portal
    # Nothing set, nothing invented.
    plain = subprocess.run(
        ["sh", str(DEPLOY / "docker-entrypoint.sh"), "env"],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "EDU_PSEUDONYM_KEY" not in plain
    assert os.access(DEPLOY / "docker-entrypoint.sh", os.X_OK)
