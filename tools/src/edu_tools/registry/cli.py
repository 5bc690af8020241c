"""``edu registry …`` commands (mounted by the edu command line): dev and
benchmark tooling around registry-reader's database."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from edu_runtime.riga import today_in_latvia

from edu_tools.registry.seeding import DEFAULT_SEED, load_synthetic, target

app = typer.Typer(
    help="The VIIS register replica: synthetic data, imports, demo identities, benchmark.",
    no_args_is_help=True,
)


MongoUrl = Annotated[
    str | None, typer.Option(help="MongoDB URL (default: EDU_MONGO_URL or the local stack).")
]
DbName = Annotated[
    str | None, typer.Option(help="Database (default: EDU_REGISTRY_READER_MONGO_DB).")
]


@app.command()
def seed(
    learners: Annotated[int, typer.Option(min=1, help="Pupils and adult learners to create.")],
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = DEFAULT_SEED,
    as_of: Annotated[
        str | None, typer.Option(help="Date ages are computed from (default: today in Riga).")
    ] = None,
    mongo_url: MongoUrl = None,
    db: DbName = None,
) -> None:
    """Replace the registers with deterministic synthetic data."""
    url, name = target(mongo_url, db)
    on = dt.date.fromisoformat(as_of) if as_of else today_in_latvia()
    started = time.monotonic()
    counts = load_synthetic(url, name, learners=learners, seed=seed, as_of=on, show=True)
    typer.echo(json.dumps({"database": name, "as_of": on.isoformat(), **counts}, indent=2))
    typer.echo(f"loaded {sum(counts.values())} records in {time.monotonic() - started:.1f}s")


@app.command("import")
def import_(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, readable=True)],
    mongo_url: MongoUrl = None,
    db: DbName = None,
) -> None:
    """Load <register>.jsonl files (format: services/registry-reader/README.md).

    Every line is validated; a file with a bad line loads nothing (its bad
    lines are listed); the other files load. Exit code 1 if any line was bad."""
    from edu_registry_reader.adapters import loader

    url, name = target(mongo_url, db)
    client, database = loader.connect(url, name)
    try:
        report = loader.import_dir(database, directory)
    finally:
        client.close()
    for file, count in report.loaded.items():
        typer.echo(f"loaded {file}: {count} records")
    for file in report.unknown_files:
        typer.echo(f"skipped {file}: not a register of this service", err=True)
    for bad in report.bad_lines:
        typer.echo(f"{bad.file}:{bad.line}: {bad.reason}", err=True)
    for file in report.rejected_files:
        typer.echo(f"rejected {file}: nothing loaded from it", err=True)
    if report.bad_lines:
        raise typer.Exit(1)


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(file_okay=False)],
    mongo_url: MongoUrl = None,
    db: DbName = None,
) -> None:
    """Write the registers as <register>.jsonl files in the import format."""
    from edu_registry_reader.adapters import loader

    url, name = target(mongo_url, db)
    client, database = loader.connect(url, name)
    try:
        written = loader.export_dir(database, directory)
    finally:
        client.close()
    typer.echo(json.dumps(written, indent=2))


def _kinds() -> str:
    from edu_tools.registry.samples import KINDS

    return ", ".join(KINDS)


@app.command()
def sample(
    kind: Annotated[
        str,
        typer.Option(
            help="parent-with-minor, adult-learner, no-data, staff, custody, guardianship, "
            "expired-guardianship, parent-of-adult"
        ),
    ],
    mongo_url: MongoUrl = None,
    db: DbName = None,
) -> None:
    """Print JSON for a ready-made identity present in the loaded registers."""
    from edu_registry_reader.adapters import loader

    from edu_tools.registry.samples import KINDS, find_sample

    if kind not in KINDS:
        typer.echo(f"error: --kind must be one of {_kinds()}", err=True)
        raise typer.Exit(2)
    url, name = target(mongo_url, db)
    client, database = loader.connect(url, name)
    try:
        found = find_sample(database, kind, today_in_latvia())
    finally:
        client.close()
    if found is None:
        typer.echo(f"error: no {kind} in the loaded data (is it seeded?)", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))


@app.command()
def bench(
    learners: Annotated[int, typer.Option(help="Register size to load if not loaded.")] = 250_000,
    rate: Annotated[float, typer.Option(help="Requests per second, steady.")] = 200.0,
    duration: Annotated[float, typer.Option(help="Seconds of measured load.")] = 60.0,
    data_dir: Annotated[
        Path, typer.Option(help="Where the benchmark's own embedded servers keep data.")
    ] = Path(".edu/bench"),
) -> None:
    """Latency of GET /api/v1/my-data at a steady rate over loopback (budget p99 ≤ 50 ms)."""
    from edu_tools.registry.bench import run

    raise typer.Exit(
        run(learners=learners, rate=rate, duration=duration, data_dir=data_dir).exit_code
    )
