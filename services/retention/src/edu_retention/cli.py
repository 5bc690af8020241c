"""``edu retention …`` commands (mounted by the edu command line)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Retention: upcoming deletions, legal holds, sweeps.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Retention operations."""
