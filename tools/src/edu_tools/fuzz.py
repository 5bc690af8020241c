"""Fuzzing every service from its own OpenAPI document (schemathesis): each
operation is called with generated valid and invalid input, under each kind of
caller (no token, a citizen, a representative, staff of the institution and of
another), and every answer is checked by every schemathesis check (``--checks
all``): no server error; documented status, content type, headers and body;
schema-valid input accepted and schema-invalid input refused (so the document
is exactly as strict as the API); undeclared methods answered 405 with
``Allow``; OPTIONS' ``Allow`` as documented; a missing or broken token not
ignored. The checks that cannot apply are in ``EXCLUDED_CHECKS``, each with
its reason; nothing else is left out.

``fuzz()`` runs schemathesis' command line once per (service, caller) as a
subprocess (the services may run in the caller's own event loop, as in the
tests) and reads its JSON report. ``edu fuzz`` runs it against ``edu up``."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The one place a schemathesis check is left out, each with why it cannot apply.
# ensure_resource_availability and object_level_authorization are on, but they
# judge only the stateful phase (sequences of calls linked by the documents),
# which these runs do not include yet: the documents have no OpenAPI links.
EXCLUDED_CHECKS: dict[str, str] = {
    "use_after_free": "no operation deletes anything (there is no DELETE): nothing to "
    "use after it is freed",
}
HOOKS = "edu_tools.fuzz_hooks"  # formats JSON Schema cannot describe (personal codes)


@dataclass(frozen=True)
class Target:
    service: str
    base_url: str


@dataclass(frozen=True)
class Caller:
    name: str
    token: str | None
    # Operations this caller's run leaves out (a regex of paths), to keep the
    # suite's run short: `edu fuzz` leaves out nothing.
    skip_paths: str | None = None


@dataclass
class RunResult:
    service: str
    caller: str
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    exit_code: int = 0
    output: str = ""


@dataclass
class FuzzResult:
    runs: list[RunResult]

    @property
    def cases(self) -> int:
        return sum(r.cases for r in self.runs)

    @property
    def failures(self) -> list[str]:
        return [f"{r.service} as {r.caller}: {f}" for r in self.runs for f in r.failures]

    def summary(self) -> str:
        lines = [
            f"{r.service:<16} {r.caller:<14} {r.cases:>6} cases  {len(r.failures)} failed"
            for r in self.runs
        ]
        lines.append(f"total: {self.cases} cases, {len(self.failures)} failed")
        lines += [f"  FAIL {f}" for f in self.failures]
        return "\n".join(lines)


def _schemathesis() -> str:
    return str(Path(sys.executable).with_name("schemathesis"))


def _read_report(path: Path) -> tuple[int, list[str]]:
    """(cases generated, one line per failed check and operation) from
    schemathesis' JSON run report."""
    if not path.exists():
        return 0, []
    report: dict[str, Any] = json.loads(path.read_text())
    cases = int(report.get("test_cases", {}).get("generated", 0))
    failures = [
        f"{failure.get('code')} {failure.get('title')}: {operation}"
        for failure in report.get("failures", [])
        for operation in failure.get("operations", [])
    ]
    return cases, failures


async def run_one(
    target: Target,
    caller: Caller,
    *,
    examples: int,
    phases: str,
    workdir: Path,
    seed: int | None = None,
    config: Path | None = None,
) -> RunResult:
    report = workdir / f"{target.service}-{caller.name}.json"
    args = [
        _schemathesis(),
        "run",
        f"{target.base_url}/schema/openapi.json",
        "--url",
        target.base_url,
        "--checks",
        "all",
        *(["--exclude-checks", ",".join(EXCLUDED_CHECKS)] if EXCLUDED_CHECKS else []),
        "--max-examples",
        str(examples),
        "--phases",
        phases,
        "--workers",
        "1",
        "--no-shrink",
        "--suppress-health-check",
        "all",
        "--continue-on-failure",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if seed is not None:
        args += ["--seed", str(seed)]
    if config is not None:  # an option of schemathesis itself, before `run`
        args[1:1] = ["--config-file", str(config)]
    if caller.token:
        args += ["--header", f"Authorization: Bearer {caller.token}"]
    if caller.skip_paths:
        args += ["--exclude-path-regex", caller.skip_paths]
    process = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={
            "NO_COLOR": "1",
            "SCHEMATHESIS_TELEMETRY": "false",
            "SCHEMATHESIS_HOOKS": HOOKS,
            "PATH": "/usr/bin:/bin",
        },
    )
    out, _ = await process.communicate()
    cases, failures = _read_report(report)
    return RunResult(
        target.service,
        caller.name,
        cases,
        failures,
        process.returncode or 0,
        out.decode(errors="replace"),
    )


async def fuzz(
    targets: list[Target],
    callers: list[Caller],
    *,
    examples: int,
    phases: str = "examples,coverage,fuzzing",
    workdir: Path | None = None,
    seed: int | None = None,
    parallel: int = 3,
    unexpected_methods: tuple[str, ...] | None = None,
) -> FuzzResult:
    """Every target under every caller; ``parallel`` schemathesis processes at a
    time. ``unexpected_methods``: the undeclared methods the coverage phase tries
    on each operation (schemathesis' default: every one it knows)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="edu-fuzz-"))
    limit = asyncio.Semaphore(parallel)
    config = None
    if unexpected_methods is not None:
        config = workdir / "schemathesis.toml"
        methods = ", ".join(f'"{m}"' for m in unexpected_methods)
        config.write_text(f"[phases.coverage]\nunexpected-methods = [{methods}]\n")

    async def one(target: Target, caller: Caller) -> RunResult:
        async with limit:
            return await run_one(
                target,
                caller,
                examples=examples,
                phases=phases,
                workdir=workdir,
                seed=seed,
                config=config,
            )

    runs = await asyncio.gather(*(one(t, c) for t in targets for c in callers))
    return FuzzResult(list(runs))


LOCAL_TARGETS = [
    Target("registry-reader", "http://127.0.0.1:8101"),
    Target("applications", "http://127.0.0.1:8102"),
    Target("documents", "http://127.0.0.1:8103"),
]


def local_callers(data_dir: Path) -> list[Caller]:
    """No token, an adult learner (a citizen for themselves), a parent of a minor
    (a representative), staff of an institution and staff of another one, from
    the registers ``edu up`` loaded, with tokens of the local gateway key."""
    from edu_registry_reader.adapters import loader
    from edu_runtime.riga import today_in_latvia

    from edu_tools.gateway import GatewayKeys
    from edu_tools.registry.samples import find_sample
    from edu_tools.registry.seeding import target

    url, name = target(None, None)
    client, database = loader.connect(url, name)
    try:
        adult = find_sample(database, "adult-learner", today_in_latvia())
        parent = find_sample(database, "parent-with-minor", today_in_latvia())
        staff = find_sample(database, "staff", today_in_latvia())
    finally:
        client.close()
    if adult is None or parent is None or staff is None:
        raise RuntimeError("no sample people in the registers: is `edu up` running and seeded?")
    keys = GatewayKeys(data_dir, generate=True)
    school = adult.get("school")
    other = school.get("institution_id") if isinstance(school, dict) else None
    if other in (None, staff["institution_id"]):
        other = f"{staff['institution_id']}-other"
    return [
        Caller("anonymous", None),
        Caller("citizen", keys.mint(adult["personal_code"])),
        Caller("representative", keys.mint(parent["personal_code"])),
        Caller(
            "staff",
            keys.mint(staff["personal_code"], role="staff", institution_id=staff["institution_id"]),
        ),
        Caller(
            "other-staff",
            keys.mint(adult["personal_code"], role="staff", institution_id=str(other)),
        ),
    ]


def main(data_dir: Path, examples: int, phases: str, seed: int | None) -> int:
    """``edu fuzz``: against the services of a running ``edu up``."""
    result = asyncio.run(
        fuzz(LOCAL_TARGETS, local_callers(data_dir), examples=examples, phases=phases, seed=seed)
    )
    print(result.summary())
    return 0 if not result.failures else 1
