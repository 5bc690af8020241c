"""Retention's operator commands: report, hold, release, sweep.

Production operations, so they ship in the retention image as
``edu-retention-ops`` (``kubectl exec deploy/retention -- edu-retention-ops
report``); on a dev machine the edu command line mounts them as ``edu
retention …`` (next to the benchmark, which lives in tools). typer is declared
by this package for that reason.

They talk to retention's own database (``EDU_MONGO_URL``,
``EDU_RETENTION_MONGO_DB``), not to the running service, so an operator can
place a hold even while the service is down; a real sweep writes its orders to
the outbox, which the running service's relay publishes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar
from uuid import UUID

import typer
from edu_contracts.retention import PurgeSubjectKind
from edu_runtime.mongo import CODEC_OPTIONS, create_client
from edu_runtime.outbox import Outbox
from edu_runtime.unit_of_work import UnitsOfWork
from pymongo.errors import PyMongoError

from edu_retention.adapters.store import RetentionStore
from edu_retention.adapters.sweeper import Sweeper
from edu_retention.clock import Clock, ManualClock, SystemClock
from edu_retention.domain.report import HoldOutcome, RetentionReport, SweepPreview
from edu_retention.service import RetentionService
from edu_retention.settings import RetentionSettings

app = typer.Typer(help="Retention: upcoming deletions, legal holds, sweeps.", no_args_is_help=True)

T = TypeVar("T")

AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
At = Annotated[
    str | None,
    typer.Option(help="Evaluate at this instant (ISO 8601 with offset) instead of now."),
]
Document = Annotated[
    bool,
    typer.Option("--document", help="The id is a stand-alone document (my-data printout)."),
]


@app.callback()
def _group() -> None:
    """Retention operations."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _subject_id(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        raise _fail(f"{value!r} is not an id (UUID)") from None


def _clock(at: str | None) -> Clock:
    if at is None:
        return SystemClock()
    try:
        instant = dt.datetime.fromisoformat(at)
    except ValueError:
        raise _fail(f"--at {at!r} is not an ISO 8601 date-time") from None
    if instant.tzinfo is None:
        raise _fail("--at needs a UTC offset, e.g. 2026-03-01T00:00:00+02:00")
    return ManualClock(instant)


def _with_service(work: Callable[[RetentionService, RetentionSettings], Awaitable[T]]) -> T:
    settings = RetentionSettings()

    async def run() -> T:
        client = create_client(settings.mongo_url, f"{settings.service_name}-cli")
        try:
            db = client.get_database(settings.mongo_db, codec_options=CODEC_OPTIONS)
            store = RetentionStore(db)
            await store.ensure_indexes()
            # Purge orders wait in the outbox; the service's relay publishes them.
            service = RetentionService(store, UnitsOfWork(client, Outbox(db)), SystemClock())
            return await work(service, settings)
        finally:
            await client.close()

    try:
        return asyncio.run(run())
    except PyMongoError as exc:
        typer.echo(f"error: retention's database is not reachable: {type(exc).__name__}", err=True)
        raise typer.Exit(1) from None


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@app.command()
def report(as_json: AsJson = False, at: At = None) -> None:
    """Upcoming deletions by month, held items and unconfirmed purges."""
    clock = _clock(at)
    result: RetentionReport = _with_service(lambda service, _: service.store.report(clock.now()))
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    typer.echo(f"Retention report at {_when(result.generated_at)}")
    typer.echo("\nUpcoming deletions (Riga calendar month, not held):")
    if not result.upcoming:
        typer.echo("  none")
    for row in result.upcoming:
        typer.echo(
            f"  {row.month}  applications: {row.applications:>7}  documents: {row.documents:>7}"
        )
    typer.echo(f"\nHeld items ({len(result.held)}):")
    for held in result.held:
        state = held.state.value if held.state else "open"
        typer.echo(
            f"  {held.kind.value} {held.subject_id}  since {_when(held.since)}  "
            f"state {state}  due {_when(held.due_at)}  reason: {held.reason}"
        )
    typer.echo(f"\nUnconfirmed purges ({result.unconfirmed_total}):")
    for purge in result.unconfirmed:
        missing = ", ".join(o.value for o in purge.missing_owners)
        typer.echo(
            f"  {purge.kind.value} {purge.subject_id}  order {purge.order_id}  "
            f"attempt {purge.attempt}  first {_when(purge.first_ordered_at)}  "
            f"next {_when(purge.next_attempt_at)}  waiting for: {missing}"
            + ("  [held]" if purge.held else "")
        )


def _print_hold(outcome: HoldOutcome, as_json: bool) -> None:
    if as_json:
        typer.echo(outcome.model_dump_json(indent=2))
        return
    typer.echo(f"{outcome.kind.value} {outcome.subject_id}: {outcome.message}")


@app.command()
def hold(
    subject_id: Annotated[str, typer.Argument(metavar="APPLICATION_ID")],
    reason: Annotated[str, typer.Option(help="Why (no names or personal codes).")],
    document: Document = False,
    as_json: AsJson = False,
) -> None:
    """Place a legal hold: the item is not purged until released."""
    sid = _subject_id(subject_id)
    if not reason.strip():
        raise _fail("--reason must not be empty")
    kind = PurgeSubjectKind.DOCUMENT if document else PurgeSubjectKind.APPLICATION
    now = SystemClock().now()
    outcome = _with_service(lambda service, _: service.place_hold(kind, sid, reason, now))
    _print_hold(outcome, as_json)


@app.command()
def release(
    subject_id: Annotated[str, typer.Argument(metavar="APPLICATION_ID")],
    document: Document = False,
    as_json: AsJson = False,
) -> None:
    """Lift a legal hold: if past due, the next sweep orders the purge."""
    sid = _subject_id(subject_id)
    kind = PurgeSubjectKind.DOCUMENT if document else PurgeSubjectKind.APPLICATION
    now = SystemClock().now()
    outcome = _with_service(lambda service, _: service.release_hold(kind, sid, now))
    _print_hold(outcome, as_json)


@app.command()
def sweep(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be ordered.")
    ] = False,
    at: At = None,
    limit: Annotated[int, typer.Option(min=1, help="Items listed by --dry-run.")] = 50,
    as_json: AsJson = False,
) -> None:
    """Order the purge of everything due now; with --dry-run, list what would be ordered.

    The running service sweeps on its own interval too; this is for operators.
    """
    if at is not None and not dry_run:
        raise _fail("--at is only allowed with --dry-run: purges are never ordered early")
    clock = _clock(at)
    if dry_run:
        preview: SweepPreview = _with_service(
            lambda service, _: service.store.preview(clock.now(), limit)
        )
        if as_json:
            typer.echo(preview.model_dump_json(indent=2))
            return
        typer.echo(f"Dry run at {_when(preview.at)}: {preview.total} purge order(s) would be sent")
        for order in preview.orders:
            owners = ", ".join(o.value for o in order.owners)
            typer.echo(
                f"  {order.kind.value} {order.subject_id}  due {_when(order.due_at)}  "
                f"attempt {order.attempt}  owners: {owners}"
            )
        if preview.total > len(preview.orders):
            typer.echo(f"  … and {preview.total - len(preview.orders)} more")
        return

    async def run(service: RetentionService, settings: RetentionSettings) -> str:
        sweeper = Sweeper.configured(service, clock, settings)
        result = await sweeper.sweep_once()
        if result.skipped:
            return "another process is sweeping right now (lease held); nothing done"
        return (
            f"ordered {result.ordered}, re-ordered {result.reordered} "
            f"in {result.seconds:.2f}s (queued in the outbox; the service's relay publishes)"
        )

    typer.echo(_with_service(run))


def main() -> None:
    """``edu-retention-ops`` in the retention image (``edu retention`` on a dev machine)."""
    app()


if __name__ == "__main__":
    main()
