"""Calls from the pages to the back-end APIs, server side, as the signed-in
person: every call carries the session's gateway JWT, the page's language and
the request's correlation id (so the services' traces join the gateway's).

A refusal comes back as ``ApiProblem`` with the service's machine-readable
``reason``; pages turn the reasons a person can cause into a message on the
page, and anything else reaches the error page (``web.errors``).
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from typing import Any, TypeVar

import httpx
from edu_runtime.service_client import ServiceClient, UpstreamProblem, UpstreamUnavailable
from opentelemetry import propagate
from pydantic import BaseModel, ValidationError

from edu_portal.web.i18n import current_lang

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
        self._services = {
            backend: ServiceClient(backend.value, client, headers=_page_headers)
            for backend, client in http.items()
        }

    def service(self, backend: Backend) -> ServiceClient:
        return self._services[backend]


# One error type for every back-end call, whichever client made it.
ApiProblem = UpstreamProblem
Unavailable = UpstreamUnavailable


class Api:
    def __init__(self, clients: dict[Backend, httpx.AsyncClient]) -> None:
        self._clients = clients

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    def _headers(self, token: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": current_lang().value}
        cid = correlation.get()
        if cid:
            headers["X-Correlation-Id"] = cid
        # traceparent of the page's span: the services' spans join the page's
        # trace. Injected here rather than by the httpx instrumentation, whose
        # client span per call cost ~1 ms of the portal's CPU per page.
        propagate.inject(headers)
        return headers

    async def request(
        self,
        backend: Backend,
        method: str,
        path: str,
        token: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The raw answer (2xx), or ``ApiProblem``/``Unavailable``."""
        all_headers = self._headers(token) | (headers or {})
        try:
            r = await self._clients[backend].request(
                method, path, params=params, json=json, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise Unavailable(503, f"{backend.value}_unavailable", repr(exc)) from None
        if r.status_code >= 500:
            raise Unavailable(r.status_code, f"{backend.value}_unavailable", r.text[:200])
        if r.status_code >= 400:
            reason, detail, body = "http_error", "", None
            try:
                body = r.json()
                reason = str(body.get("reason") or reason)
                detail = str(body.get("detail") or "")
            except (ValueError, AttributeError):
                pass
            raise ApiProblem(r.status_code, reason, detail, body)
        return r

    async def get(
        self,
        backend: Backend,
        path: str,
        token: str,
        model: type[M],
        *,
        params: dict[str, Any] | None = None,
    ) -> M:
        r = await self.request(backend, "GET", path, token, params=params)
        return _parse(r, model, backend)

    async def post(
        self,
        backend: Backend,
        path: str,
        token: str,
        model: type[M],
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> M:
        r = await self.request(
            backend, "POST", path, token, params=params, json=json, headers=headers
        )
        return _parse(r, model, backend)


def _parse(r: httpx.Response, model: type[M], backend: Backend) -> M:
    try:
        return model.model_validate_json(r.content)
    except ValidationError as exc:
        raise Unavailable(502, f"{backend.value}_bad_answer", str(exc)[:200]) from None
