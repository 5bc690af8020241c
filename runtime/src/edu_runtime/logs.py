"""Structured JSON logs on stdout, one object a line, carrying the current trace
and span ids, with personal codes masked whatever the caller passed in."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from opentelemetry import trace

from edu_runtime.pseudonym import redact_personal_codes

_STD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI copy of msg
}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        for key, value in vars(record).items():
            if key not in _STD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact_personal_codes(json.dumps(entry, default=str, ensure_ascii=False))


def configure_logging(service: str, level: str = "INFO") -> None:
    """Every log line of the process, ours and every library's, as JSON on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    route_library_logs_to_root()
    logging.captureWarnings(True)  # warnings.warn(...) as JSON lines too
    # Chatty libraries: their INFO lines are noise at our scale; warnings still show.
    for name in ("aiokafka", "pymongo", "uvicorn.access", "faststream.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


def route_library_logs_to_root() -> None:
    """Take libraries' own handlers off their loggers so that their records
    reach the root's JSON handler. FastStream, for one, gives its ``faststream``
    logger a coloured text handler at import and stops propagation; uvicorn does
    the same when it configures logging (``serve`` tells it not to)."""
    import faststream  # noqa: F401 - its loggers must exist before they are rerouted

    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    for logger in loggers:
        logger.handlers.clear()
        logger.propagate = True
