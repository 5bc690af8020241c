"""Loading the synthetic register into registry-reader's database: ``edu
registry seed``, ``edu up`` (a small register when none is loaded) and the
registry benchmark."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import typer
from edu_runtime.riga import today_in_latvia

DEFAULT_SEED = 20260901
LOCAL_STACK_LEARNERS = 2000


def target(mongo_url: str | None, db: str | None) -> tuple[str, str]:
    from edu_registry_reader.settings import RegistryReaderSettings

    settings = RegistryReaderSettings()
    return mongo_url or settings.mongo_url, db or settings.mongo_db


def load_synthetic(
    mongo_url: str, db_name: str, *, learners: int, seed: int, as_of: dt.date, show: bool
) -> dict[str, int]:
    """Generate and load; with ``show``, a progress bar counting learners."""
    from edu_registry_reader.adapters import loader
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from edu_tools.registry.synthetic import SyntheticRegister

    client, db = loader.connect(mongo_url, db_name)
    register = SyntheticRegister(seed, as_of, learners)

    def batches() -> Any:
        yield register.institutions()
        yield from register.families()

    meta = {"seed": seed, "learners": learners, "as_of": as_of.isoformat()}
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=not show,
        ) as progress:
            task = progress.add_task("learners", total=learners)

            def advance(_: int) -> None:
                progress.update(task, completed=min(register.learners, learners))

            counts = loader.seed(db, batches(), meta=meta, progress=advance)
            progress.update(task, description="indexes built")
    finally:
        client.close()
    return counts


def seed_if_empty(backends: Any) -> None:
    """Called by ``edu up``: a small synthetic register when none is loaded."""
    from edu_registry_reader.adapters import loader

    url, name = target(backends.mongo_url, None)
    client, db = loader.connect(url, name)
    try:
        empty = loader.is_empty(db)
    finally:
        client.close()
    if empty:
        started = time.monotonic()
        counts = load_synthetic(
            url,
            name,
            learners=LOCAL_STACK_LEARNERS,
            seed=DEFAULT_SEED,
            as_of=today_in_latvia(),
            show=False,
        )
        typer.echo(
            f"  registry: loaded {counts['persons']} persons "
            f"({LOCAL_STACK_LEARNERS} learners) in {time.monotonic() - started:.1f}s; "
            "try `edu registry sample --kind parent-with-minor`"
        )
