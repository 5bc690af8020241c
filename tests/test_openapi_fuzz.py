"""Every service fuzzed from its own OpenAPI document (schemathesis, every check
but those ``edu_tools.fuzz.EXCLUDED_CHECKS`` names, a few examples per
operation) as a caller without a token, a citizen, a representative, staff of
the institution and staff of another: no server error, every answer as
documented, and the document exactly as strict as the API. The longer run is
``edu fuzz --examples 100`` (README, reliability)."""

from __future__ import annotations

import os
from pathlib import Path

from edu_tools.fuzz import Caller, Target, fuzz
from edu_tools.gateway import GatewayKeys

from tests.conftest import Stack
from tests.flows import make_actors

EXAMPLES = int(os.environ.get("EDU_FUZZ_EXAMPLES", "2"))
# All three phases: the coverage phase is where undeclared methods, missing
# headers and boundary values are tried. Few examples here to keep the suite
# short; `edu fuzz --examples 100` is the long run.
PHASES = os.environ.get("EDU_FUZZ_PHASES", "examples,coverage,fuzzing")
# To keep the suite short, the runs without a token and as citizens leave out
# applications' staff operations and staff's runs its citizen operations (the
# slow half of each; who may call what, for every operation and caller, is
# tests/test_authorization_matrix.py's), and the coverage phase tries two
# undeclared methods per operation, not all. `edu fuzz` takes every operation
# and method; EDU_FUZZ_ALL=1 here too.
ALL = os.environ.get("EDU_FUZZ_ALL") == "1"
UNEXPECTED_METHODS = None if ALL else ("trace", "options")
STAFF_ONLY = None if ALL else "^/api/v1/staff/"
CITIZENS_ONLY = None if ALL else "^/api/v1/(applications|terms/resource-applications)"


async def test_every_operation_answers_as_documented(
    stack: Stack, gateway: GatewayKeys, tmp_path: Path
) -> None:
    actors = await make_actors(stack, gateway)
    w = actors.world
    callers = [
        Caller("anonymous", None, skip_paths=STAFF_ONLY),
        Caller("citizen", gateway.mint(w.adult_learner.code), skip_paths=STAFF_ONLY),
        Caller("representative", gateway.mint(w.parent.code), skip_paths=STAFF_ONLY),
        Caller(
            "staff",
            gateway.mint(w.employee.code, role="staff", institution_id=w.institution_id),
            skip_paths=CITIZENS_ONLY,
        ),
        Caller(
            "other-staff",
            gateway.mint(w.stranger.code, role="staff", institution_id=w.other_institution_id),
            skip_paths=CITIZENS_ONLY,
        ),
    ]
    targets = [
        Target("registry-reader", stack.registry.base_url),
        Target("applications", stack.applications.base_url),
        Target("documents", stack.documents.base_url),
    ]
    workdir = Path(os.environ.get("EDU_FUZZ_DIR", tmp_path))
    result = await fuzz(
        targets,
        callers,
        examples=EXAMPLES,
        phases=PHASES,
        workdir=workdir,
        seed=20261201,
        unexpected_methods=UNEXPECTED_METHODS,
    )
    print(result.summary())
    for run in result.runs:
        assert run.cases > 0, run.output[-3000:]
    # Each failing run's FAILURES section (the request, the answer, a curl line).
    details = "\n".join(
        r.output[r.output.find("FAILURES") :][:8000] for r in result.runs if r.failures
    )
    assert result.failures == [], f"{result.summary()}\n{details}"
