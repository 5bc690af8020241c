"""local-prod only: the mail relay the notifications service sends to, in place
of the platform's SMTP relay (deploy/README.md, "local-prod").

- SMTP (aiosmtpd) on port 2525, no TLS and no login: every message is
  accepted and kept in memory (the newest ``MAIL_SINK_KEEP``), never relayed;
- HTTP (the standard library) on port 8025, for the smoke and the probes:
  ``GET /messages`` -> JSON list of ``{to, mail_from, subject, text, message_id}``
  (``text``: the text/plain part), ``GET /health`` -> 200.

Nothing is written to disk, so it runs on a read-only root as a non-root user.
"""

from __future__ import annotations

import asyncio
import collections
import email
import email.policy
import json
import os
import signal
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

SMTP_PORT = int(os.environ.get("MAIL_SINK_SMTP_PORT", "2525"))
HTTP_PORT = int(os.environ.get("MAIL_SINK_HTTP_PORT", "8025"))
KEEP = int(os.environ.get("MAIL_SINK_KEEP", "1000"))

# Appended by the SMTP loop, read by HTTP threads: a lock keeps the copy whole.
_messages: collections.deque[dict[str, Any]] = collections.deque(maxlen=KEEP)
_lock = threading.Lock()


def summary(envelope_to: list[str], mail_from: str, content: bytes) -> dict[str, Any]:
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    return {
        "to": envelope_to,
        "mail_from": mail_from,
        "subject": str(msg.get("Subject", "")),
        "message_id": str(msg.get("Message-ID", "")),
        "text": text,
    }


class Sink:
    """aiosmtpd handler: keep every message, answer 250."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        kept = summary(list(envelope.rcpt_tos), str(envelope.mail_from or ""), content)
        with _lock:
            _messages.append(kept)
        print(f"mail-sink: {kept['subject']!r} to {kept['to']}", flush=True)
        return "250 Message accepted"


class Http(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        elif self.path == "/messages":
            with _lock:
                messages = list(_messages)
            self._send(200, messages)
        else:
            self._send(404, {"reason": "not_found"})

    def _send(self, status: int, value: object) -> None:
        body = json.dumps(value, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the probes ask every few seconds


async def main() -> None:
    http = ThreadingHTTPServer(("0.0.0.0", HTTP_PORT), Http)  # noqa: S104 (a pod's port)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    loop = asyncio.get_running_loop()
    handler = Sink()
    # decode_data=False: the handler parses the bytes as sent (UTF-8 headers, 8bit).
    server = await loop.create_server(
        lambda: SMTP(handler, decode_data=False, enable_SMTPUTF8=True),
        host="0.0.0.0",  # noqa: S104
        port=SMTP_PORT,
    )
    print(f"mail-sink: SMTP on {SMTP_PORT}, HTTP on {HTTP_PORT}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    http.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
