"""``edu dlq``: list, show, replay and discard dead letters (see ``edu_tools.dlq``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from edu_tools import dlq

app = typer.Typer(
    help="Dead letters on edu.dead-letter.v1: list, show, replay to the original topic, discard.",
    no_args_is_help=True,
)

Bootstrap = Annotated[
    str, typer.Option(envvar="EDU_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers.")
]
Topic = Annotated[str | None, typer.Option("--topic", help="Only letters from this topic.")]
Reason = Annotated[
    str | None,
    typer.Option("--reason", help="Only this error type (e.g. ValidationError, RuntimeError)."),
]
Consumer = Annotated[
    str | None, typer.Option("--consumer", help="Only letters of this consumer (group prefix).")
]
OlderThan = Annotated[
    str | None,
    typer.Option("--older-than", help="Only letters at least this old: 90s, 15m, 2h, 3d."),
]
Since = Annotated[
    str | None,
    typer.Option("--since", help="Only letters failed at or after (ISO; UTC if no zone)."),
]
Ids = Annotated[list[str] | None, typer.Argument(help="Letter ids (<partition>:<offset>).")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
Note = Annotated[str | None, typer.Option(help="Why (kept with the resolution).")]

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def _duration(text: str) -> dt.timedelta:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        return dt.timedelta(seconds=float(text[:-1]) * units[text[-1]])
    except (KeyError, ValueError, IndexError):
        raise typer.BadParameter(f"{text!r}: use a number and s, m, h or d") from None


def _instant(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date/time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _selection(
    ids: list[str] | None,
    topic: str | None,
    reason: str | None,
    consumer: str | None,
    older_than: str | None,
    since: str | None,
    status: str = "open",
) -> dlq.Selection:
    if status not in ("open", "replayed", "discarded", "all"):
        raise typer.BadParameter("--status is open, replayed, discarded or all")
    return dlq.Selection(
        ids=tuple(ids or ()),
        original_topic=topic,
        consumer=consumer,
        error_type=reason,
        older_than=_duration(older_than) if older_than else None,
        since=_instant(since) if since else None,
        status=status,  # type: ignore[arg-type]  # checked above
    )


def _read(bootstrap: str) -> dlq.DeadLetters:
    return asyncio.run(dlq.read_all(bootstrap))


def _table(letters: list[dlq.StoredLetter]) -> Table:
    table = Table(show_lines=False)
    for column in ("id", "age", "topic", "consumer", "reason", "detail", "status"):
        table.add_column(column, overflow="fold")
    for stored in letters:
        letter = stored.letter
        table.add_row(
            stored.id,
            dlq.age(letter.failed_at),
            letter.original_topic,
            letter.consumer,
            letter.error_type,
            letter.reason[:80],
            stored.status,
        )
    return table


@app.command("list")
def list_letters(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topic: Topic = None,
    reason: Reason = None,
    consumer: Consumer = None,
    older_than: OlderThan = None,
    since: Since = None,
    status: Annotated[
        str, typer.Option(help="open (default), replayed, discarded or all.")
    ] = "open",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """Dead letters by topic, reason and age (the open ones unless --status says otherwise)."""
    selection = _selection(None, topic, reason, consumer, older_than, since, status)
    found = _read(bootstrap)
    chosen = dlq.select(found.letters, selection)
    if as_json:
        for stored in chosen:
            typer.echo(
                json.dumps(
                    {
                        "id": stored.id,
                        "status": stored.status,
                        "original_topic": stored.letter.original_topic,
                        "consumer": stored.letter.consumer,
                        "error_type": stored.letter.error_type,
                        "reason": stored.letter.reason,
                        "failed_at": stored.letter.failed_at.isoformat(),
                        "key": stored.letter.key,
                    },
                    ensure_ascii=False,
                )
            )
        return
    console = Console()
    if not chosen:
        console.print(f"no {status if status != 'all' else ''} dead letters".replace("  ", " "))
    else:
        summary = Table(title=f"{len(chosen)} dead letters ({status})")
        for column in ("topic", "reason", "letters", "oldest"):
            summary.add_column(column)
        for row in dlq.summary(chosen):
            summary.add_row(row[0], row[1], str(row[2]), row[3])
        console.print(summary)
        console.print(_table(chosen))
    if found.unreadable:
        console.print(f"[yellow]{found.unreadable} records on the topic are not dead letters[/]")


@app.command()
def show(
    letter_id: Annotated[str, typer.Argument(help="<partition>:<offset> from `edu dlq list`.")],
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    unmasked: Annotated[
        bool, typer.Option(help="Show personal codes in clear (masked by default).")
    ] = False,
) -> None:
    """One dead letter in full: where it came from, why it failed, its headers and value."""
    found = _read(bootstrap)
    matches = [s for s in found.letters if s.id == letter_id]
    if not matches:
        typer.echo(f"error: no dead letter {letter_id}", err=True)
        raise typer.Exit(1)
    typer.echo(dlq.details(matches[0], unmasked=unmasked))


def _resolve(
    action: dlq.Action,
    bootstrap: str,
    selection: dlq.Selection,
    yes: bool,
    note: str | None,
    idempotence: bool,
) -> None:
    if selection == dlq.Selection():
        typer.echo("error: name letters (ids) or a filter (--topic, --reason, …)", err=True)
        raise typer.Exit(2)
    found = _read(bootstrap)
    chosen = dlq.select(found.letters, selection)
    missing = [i for i in selection.ids if i not in {s.id for s in chosen}]
    if missing:
        typer.echo(f"error: not open dead letters: {', '.join(missing)}", err=True)
        raise typer.Exit(1)
    if not chosen:
        typer.echo("nothing selected")
        return
    Console().print(_table(chosen))
    verb = "Replay" if action == "replayed" else "Discard"
    where = " to their original topics" if action == "replayed" else ""
    if not yes and not typer.confirm(f"{verb} these {len(chosen)} dead letters{where}?"):
        typer.echo("nothing done")
        raise typer.Exit(1)
    done = asyncio.run(dlq.resolve(bootstrap, chosen, action, note=note, idempotence=idempotence))
    typer.echo(f"{action} {len(done)}")


Idempotence = Annotated[
    bool,
    typer.Option(envvar="EDU_KAFKA_IDEMPOTENCE", help="Idempotent producer (Apache Kafka)."),
]


@app.command()
def replay(
    ids: Ids = None,
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topic: Topic = None,
    reason: Reason = None,
    consumer: Consumer = None,
    older_than: OlderThan = None,
    since: Since = None,
    yes: Yes = False,
    note: Note = None,
    idempotence: Idempotence = False,
) -> None:
    """Publish open letters again, unchanged, to the topic they came from (after a
    confirmation). Safe to repeat: consumers skip events they applied."""
    selection = _selection(ids, topic, reason, consumer, older_than, since)
    _resolve("replayed", bootstrap, selection, yes, note, idempotence)


@app.command()
def discard(
    ids: Ids = None,
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topic: Topic = None,
    reason: Reason = None,
    consumer: Consumer = None,
    older_than: OlderThan = None,
    since: Since = None,
    yes: Yes = False,
    note: Note = None,
    idempotence: Idempotence = False,
) -> None:
    """Mark open letters as dealt with, without replaying them (after a confirmation)."""
    selection = _selection(ids, topic, reason, consumer, older_than, since)
    _resolve("discarded", bootstrap, selection, yes, note, idempotence)
