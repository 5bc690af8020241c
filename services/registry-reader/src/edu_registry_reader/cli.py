"""``edu registry …`` commands (mounted by the edu command line)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer

from edu_registry_reader.demo import demo_identities

app = typer.Typer(
    help="The VIIS register replica: demo identities, synthetic data, imports.",
    no_args_is_help=True,
)

KINDS = ("parent-with-minor", "adult-learner", "no-data", "staff")


@app.command()
def sample(
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(KINDS)}")],
) -> None:
    """Print JSON for a ready-made demo identity from the loaded data."""
    identities = demo_identities(dt.datetime.now(dt.UTC).date())
    if kind not in identities:
        typer.echo(f"error: --kind must be one of {', '.join(identities)}", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(identities[kind], ensure_ascii=False, indent=2))


def seed_if_empty(backends: Any) -> None:
    """Called by ``edu up``: the demo fixture, when the register is empty."""
    return None
