"""The local mailbox ``edu up`` runs: a real SMTP server (aiosmtpd) keeping
messages in a Maildir, and ``edu mail list | show`` reading it back."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

from edu_tools.backends import free_port
from edu_tools.cli import app as edu_cli
from edu_tools.mail import start_server
from typer.testing import CliRunner


def _send(port: int, to: str, subject: str, text: str, html: str) -> None:
    msg = EmailMessage()
    msg["From"] = "noreply@edu.localhost"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    deadline = time.monotonic() + 15
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.send_message(msg)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_messages_sent_to_the_local_server_are_listed_and_shown(tmp_path: Path) -> None:
    port = free_port()
    server = start_server(tmp_path, port)
    try:
        _send(
            port, "liga@example.lv", "Pieteikums IR-1 ir iesniegts", "Labdien!", "<p>Labdien!</p>"
        )
        _send(port, "anna@example.lv", "Application IR-2 has been granted", "Hello,", "<p>Hi</p>")
    finally:
        server.stop()
    runner = CliRunner()
    env = {"EDU_DATA_DIR": str(tmp_path)}
    listed = runner.invoke(edu_cli, ["mail", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 2
    assert "Pieteikums IR-1 ir iesniegts" in lines[0]
    assert "Application IR-2 has been granted" in lines[1]
    only = runner.invoke(edu_cli, ["mail", "list", "--to", "anna@example.lv"], env=env)
    assert only.output.count("\n") == 1
    shown = runner.invoke(edu_cli, ["mail", "show", "1"], env=env)
    assert shown.exit_code == 0
    assert "Subject: Pieteikums IR-1 ir iesniegts" in shown.output
    assert "Labdien!" in shown.output
    html = runner.invoke(edu_cli, ["mail", "show", "1", "--html"], env=env)
    assert "<p>Labdien!</p>" in html.output
    missing = runner.invoke(edu_cli, ["mail", "show", "9"], env=env)
    assert missing.exit_code == 1
