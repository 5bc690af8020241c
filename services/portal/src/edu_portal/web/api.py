"""The back-end services the pages call, one ``ServiceClient`` each for the
portal's lifetime (the typed clients of ``web.clients`` are bound to a person
per request), adding the request's correlation id and trace context to every
call, so the services' traces join the gateway's.

A refusal comes back as ``ApiProblem`` with the service's machine-readable
``reason``; pages turn the reasons a person can cause into a message on the
page, and anything else reaches the error page (``web.errors``).
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from typing import TypeVar

import httpx
from edu_runtime.service_client import ServiceClient, UpstreamProblem, UpstreamUnavailable
from opentelemetry import propagate
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

correlation: ContextVar[str | None] = ContextVar("edu_portal_correlation", default=None)


class Backend(StrEnum):
    REGISTRY = "registry-reader"
    APPLICATIONS = "applications"
    DOCUMENTS = "documents"


def _page_headers() -> dict[str, str]:
    headers: dict[str, str] = {}
    cid = correlation.get()
    if cid:
        headers["X-Correlation-Id"] = cid
    # Injected here rather than by the httpx instrumentation, whose client span
    # per call cost ~1 ms of the portal's CPU per page.
    propagate.inject(headers)
    return headers


class Backends:
    """One ``ServiceClient`` per back-end service, for the portal's lifetime."""

    def __init__(self, http: dict[Backend, httpx.AsyncClient]) -> None:
        self._http = list(http.values())
        self._services = {
            backend: ServiceClient(backend.value, client, headers=_page_headers)
            for backend, client in http.items()
        }

    def service(self, backend: Backend) -> ServiceClient:
        return self._services[backend]

    async def close(self) -> None:
        for http in self._http:
            await http.aclose()


# One error type for every back-end call, whichever client made it.
ApiProblem = UpstreamProblem
Unavailable = UpstreamUnavailable


def invalid_fields(problem: ApiProblem) -> set[str]:
    """The body fields a service's 422 names (``extra.errors[].loc``)."""
    fields: set[str] = set()
    for error in problem.extra.get("errors") or []:
        loc = error.get("loc") if isinstance(error, dict) else None
        if isinstance(loc, list) and loc:
            fields.add(str(loc[-1] if loc[-1] not in ("", None) else loc[0]))
        elif isinstance(loc, str):
            fields.add(loc)
    return fields
