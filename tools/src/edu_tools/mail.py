"""The local mailbox: ``edu up`` runs a real SMTP server (aiosmtpd) on
127.0.0.1:8025 that stores every message it receives in a Maildir under the
data directory (``.edu/mail/``); ``edu mail list | show N`` reads it. Nothing
leaves the machine: the notifications service delivers here locally."""

from __future__ import annotations

import email
import mailbox
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Annotated

import typer

from edu_tools.backends import ChildProcess, spawn

SMTP_PORT = 8025

app = typer.Typer(help="The local mailbox (messages the services sent).", no_args_is_help=True)


def maildir_path(data_dir: Path) -> Path:
    return data_dir / "mail"


def start_server(data_dir: Path, port: int = SMTP_PORT) -> ChildProcess:
    """aiosmtpd's own Maildir handler, as a child process of ``edu up``."""
    path = maildir_path(data_dir)
    mailbox.Maildir(path, create=True)
    return spawn(
        "mail",
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(path),
        ],
        log_path=data_dir / "logs" / "mail.log",
    )


@dataclass
class Stored:
    number: int
    message: EmailMessage

    @property
    def date(self) -> str:
        return str(self.message["Date"] or "")


def read_all(data_dir: Path) -> list[Stored]:
    """Every stored message, oldest first, numbered from 1."""
    path = maildir_path(data_dir)
    files = [f for sub in ("new", "cur") if (path / sub).is_dir() for f in (path / sub).iterdir()]
    files.sort(key=lambda f: (f.stat().st_mtime, f.name))
    stored: list[Stored] = []
    for number, file in enumerate(files, start=1):
        with file.open("rb") as fh:
            msg = email.message_from_binary_file(fh, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        stored.append(Stored(number, msg))
    return stored


DataDir = Annotated[Path, typer.Option(envvar="EDU_DATA_DIR", help="Local state (.edu).")]


@app.command("list")
def list_messages(
    data_dir: DataDir = Path(".edu"),
    to: Annotated[str | None, typer.Option(help="Only messages to this address.")] = None,
) -> None:
    """Every message received, oldest first: number, date, to, subject."""
    for stored in read_all(data_dir):
        m = stored.message
        if to is not None and to.lower() not in str(m["To"]).lower():
            continue
        typer.echo(f"{stored.number:>4}  {stored.date}  {m['To']}  {m['Subject']}")


@app.command("show")
def show(
    number: Annotated[int, typer.Argument(help="The message's number in `edu mail list`.")],
    data_dir: DataDir = Path(".edu"),
    html: Annotated[bool, typer.Option(help="Print the HTML part instead of the text.")] = False,
) -> None:
    """One message: its headers and its plain-text (or HTML) body."""
    found = [s for s in read_all(data_dir) if s.number == number]
    if not found:
        typer.echo(f"no message {number}", err=True)
        raise typer.Exit(1)
    m = found[0].message
    for header in ("From", "To", "Date", "Subject", "Message-ID"):
        typer.echo(f"{header}: {m[header]}")
    typer.echo("")
    part = m.get_body(preferencelist=("html",) if html else ("plain",))
    typer.echo(part.get_content() if part is not None else "")
