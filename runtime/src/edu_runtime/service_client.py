"""One way to call another service's API, for the portal's pages and for a
service that reads another synchronously (applications → registry-reader,
documents). The typed clients in ``edu_runtime.clients`` are built on it.

A call carries the caller's gateway JWT (the callee decides what the caller may
see: a token is forwarded, never widened) and the language once, as
``Accept-Language``. A refusal comes back as ``UpstreamProblem`` with the
callee's machine-readable ``reason``; no answer, a 5xx or an answer that does
not parse as ``UpstreamUnavailable``. What a caller makes of them (a page, an
``ApiError``) is the caller's business.

No retry on a dropped kept-alive connection: the ``httpx.AsyncClient`` given
here must let an idle connection go before the server closes it
(``edu_runtime.serve.CLIENT_KEEP_ALIVE_SECONDS``), so that race does not arise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

HeaderSource = Callable[[], Mapping[str, str]]


def _no_headers() -> Mapping[str, str]:
    return {}


class UpstreamProblem(Exception):
    """A call the callee refused (4xx), with its ``reason`` and body."""

    def __init__(self, status: int, reason: str, detail: str = "", body: Any = None) -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail
        self.body = body

    @property
    def extra(self) -> dict[str, Any]:
        """The ``extra`` object of the callee's error body (``{}`` if none)."""
        body = self.body if isinstance(self.body, dict) else {}
        extra = body.get("extra")
        return extra if isinstance(extra, dict) else {}


class UpstreamUnavailable(UpstreamProblem):
    """No usable answer: connection refused, timeout, 5xx, or a body that does
    not match the contract."""


class ServiceClient:
    """An ``httpx.AsyncClient`` for one service, with who is calling bound to it.

    ``headers`` is asked on every call (the portal adds the request's
    correlation id and trace context there); ``acting_as`` binds a token and a
    language and returns a new, cheap client."""

    def __init__(
        self,
        name: str,
        http: httpx.AsyncClient,
        *,
        headers: HeaderSource = _no_headers,
        token: str | None = None,
        lang: str | None = None,
    ) -> None:
        self.name = name
        self._http = http
        self._headers = headers
        self._token = token
        self._lang = lang

    def acting_as(self, token: str, lang: str | None = None) -> ServiceClient:
        return ServiceClient(
            self.name, self._http, headers=self._headers, token=token, lang=lang or self._lang
        )

    def _all_headers(self) -> dict[str, str]:
        headers = dict(self._headers())
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        if self._lang is not None:
            headers["Accept-Language"] = self._lang
        return headers

    def _request(
        self, method: str, path: str, body: BaseModel | None, params: Mapping[str, Any] | None
    ) -> httpx.Request:
        return self._http.build_request(
            method,
            path,
            params=dict(params) if params else None,
            json=None if body is None else body.model_dump(mode="json", exclude_none=True),
            headers=self._all_headers(),
        )

    async def send(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """The answer (2xx), or ``UpstreamProblem`` / ``UpstreamUnavailable``."""
        try:
            response = await self._http.send(self._request(method, path, body, params))
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(503, f"{self.name}_unavailable", repr(exc)) from None
        self._check(response, response.content)
        return response

    async def read(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> M:
        return self.parse(await self.send(method, path, body=body, params=params), model)

    async def read_or_none(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> M | None:
        """As ``read``, with None for a 404."""
        try:
            return await self.read(method, path, model, body=body, params=params)
        except UpstreamProblem as problem:
            if problem.status == 404 and not isinstance(problem, UpstreamUnavailable):
                return None
            raise

    @asynccontextmanager
    async def download(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        method: str = "GET",
        body: BaseModel | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """A file, streamed: the answer's body is read as the caller passes it on
        (``aiter_bytes``), never held whole in memory. ``POST`` with a ``body``
        for a file drawn from what is sent (labels, a report)."""
        try:
            request = self._request(method, path, body, params)
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(503, f"{self.name}_unavailable", repr(exc)) from None
        try:
            if response.status_code >= 400:
                self._check(response, await response.aread())
            yield response
        finally:
            await response.aclose()

    def parse(self, response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise UpstreamUnavailable(502, f"{self.name}_bad_answer", str(exc)[:200]) from None

    def _check(self, response: httpx.Response, content: bytes) -> None:
        status = response.status_code
        if status >= 500:
            raise UpstreamUnavailable(status, f"{self.name}_unavailable", content[:200].decode())
        if status >= 400:
            reason, detail, body = "http_error", "", None
            try:
                body = response.json()
                reason = str(body.get("reason") or reason)
                detail = str(body.get("detail") or "")
            except (ValueError, AttributeError):
                pass
            raise UpstreamProblem(status, reason, detail, body)
