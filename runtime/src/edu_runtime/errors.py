"""The one exception type handlers raise for an expected refusal, the mapping
of a service's domain errors to statuses, and the Litestar handlers that turn
every failure into ``ErrorBody`` (never a bare 500 with a stack trace, never
a personal code echoed back)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from edu_contracts.http import ErrorBody
from edu_contracts.personal_code import PersonalCodeError
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from edu_runtime.paging import BAD_PAGE, PAGE_PARAMETERS
from edu_runtime.pseudonym import redact_personal_codes

log = logging.getLogger(__name__)

ExceptionHandler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]

_PERSONAL_CODE_REASON = re.compile(r"personal_code_(format|checksum|date)")


class ApiError(HTTPException):
    """An expected refusal with a stable, machine-readable ``reason``."""

    def __init__(
        self, status_code: int, reason: str, detail: str, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.reason = reason
        self.payload = extra


def _response(
    status: int,
    reason: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[Any]:
    body = ErrorBody(reason=reason, detail=detail, extra=extra)
    return Response(
        content=body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MediaType.JSON,
        headers=dict(headers or {}),
    )


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for err in errors:
        cleaned.append(
            {
                "loc": [str(p) for p in err.get("loc", ()) if p != "body"] or err.get("key"),
                "msg": redact_personal_codes(str(err.get("msg", err.get("message", "")))),
                "type": err.get("type"),
            }
        )
    return cleaned


_EXTRA_FIELD = "Extra inputs are not permitted"


def _validation_response(details: list[dict[str, Any]]) -> Response[Any]:
    """One reason for what went wrong: unknown body fields named, the shared
    pagination parameters' one reason, a personal code's own reason, or
    ``validation_error``; ``extra.errors`` lists every problem."""
    errors = {"errors": _validation_errors(details)}
    unknown = [str(e.get("key")) for e in details if e.get("message") == _EXTRA_FIELD]
    if unknown and len(unknown) == len(details):
        return _response(
            422, "unknown_field", f"Unknown field(s) in the body: {', '.join(unknown)}.", errors
        )
    keys = {str(e.get("key")) for e in details}
    if details and keys <= PAGE_PARAMETERS and all(e.get("source") == "query" for e in details):
        return _response(
            422, BAD_PAGE, "limit must be between 1 and its maximum, offset at least 0.", errors
        )
    found = _PERSONAL_CODE_REASON.search(" ".join(str(e.get("message", "")) for e in details))
    return _response(
        422, found.group(0) if found else "validation_error", "The request is not valid.", errors
    )


Refusals = Mapping[type[Exception], int]
"""A service's table from its domain errors to HTTP statuses. Each error
carries ``reason`` (the rule that said no), ``message`` and ``extra``."""


def refusal_handlers(refusals: Refusals) -> dict[type[Exception], ExceptionHandler]:
    """Exception handlers answering each domain error with its status from
    ``refusals`` (the most specific class wins) and the usual ``ErrorBody``."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        status = next(refusals[c] for c in type(exc).__mro__ if c in refusals)
        reason = str(getattr(exc, "reason", "refused"))
        detail = str(getattr(exc, "message", None) or exc)
        return _response(status, reason, detail, getattr(exc, "extra", None))

    return dict.fromkeys(refusals, handle)


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, ApiError):
        return _response(exc.status_code, exc.reason, exc.detail, exc.payload)
    if isinstance(exc, PersonalCodeError):
        return _response(422, exc.reason, str(exc))
    if isinstance(exc, ValidationError):
        types = [str(e.get("type", "")) for e in exc.errors()]
        reason = next((t for t in types if _PERSONAL_CODE_REASON.fullmatch(t)), "validation_error")
        return _response(
            422,
            reason,
            "The request is not valid.",
            {"errors": _validation_errors([dict(e) for e in exc.errors()])},
        )
    if isinstance(exc, ValidationException):
        details = (
            [e for e in exc.extra if isinstance(e, dict)] if isinstance(exc.extra, list) else []
        )
        return _validation_response(details)
    if isinstance(exc, NotAuthorizedException):
        return _response(401, getattr(exc, "reason", "unauthorized"), exc.detail)
    if isinstance(exc, NotFoundException):
        return _response(404, "not_found", "Not found.")
    if isinstance(exc, HTTPException):
        reason = {
            400: "bad_request",
            403: "forbidden",
            405: "method_not_allowed",
            413: "payload_too_large",
            415: "unsupported_media_type",
            429: "too_many_requests",
            503: "service_unavailable",
        }.get(exc.status_code, "http_error")
        # Litestar's own headers go along: a 405's ``Allow`` (RFC 9110, 15.5.6)
        # lists what the path does support.
        return _response(exc.status_code, reason, exc.detail, headers=exc.headers)
    if isinstance(exc, ConnectionFailure):
        # MongoDB restarting or failing over: the request did not happen (or its
        # transaction was not committed); the client may try again.
        log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        response = _response(
            503, "database_unavailable", "The database is not reachable; try again shortly."
        )
        response.headers["Retry-After"] = "1"
        return response
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _response(
        HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side."
    )
