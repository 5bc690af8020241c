"""``edu retention …``: retention's operator commands (they ship with the
service, see ``edu_retention.cli``) plus the benchmark, which is dev tooling."""

from __future__ import annotations

from typing import Annotated

import typer
from edu_retention.cli import app as operator_app

app = typer.Typer(help=operator_app.info.help, no_args_is_help=True)
# The same command objects as ``edu-retention-ops`` in the image: one definition.
app.registered_commands.extend(operator_app.registered_commands)


@app.callback()
def _group() -> None:
    """Retention operations."""


@app.command()
def bench(
    sizes: Annotated[str, typer.Option(help="Store sizes, comma-separated.")] = "100000,1000000",
    due: Annotated[int, typer.Option(help="Due deadlines in every store.")] = 10_000,
    batch: Annotated[int, typer.Option(help="Deadlines per sweep transaction.")] = 500,
) -> None:
    """Benchmark the sweeper on fresh embedded servers."""
    from edu_tools.retention.bench import main as run_bench

    raise typer.Exit(
        run_bench(["--sizes", sizes, "--due", str(due), "--batch", str(batch)]).exit_code
    )
