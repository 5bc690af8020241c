"""The two services the wizard reads synchronously, through the shared typed
clients (``edu_runtime.clients``): registry-reader (lookups) and documents
(the documents confirmed on receipt). The citizen's own gateway token is
forwarded, bound per call (``acting_as``), so those services decide what the
caller may see; this service never widens it.

Their refusals become this service's ``ApiError`` in one place,
``_as_api_error``: 404 is "not found" (None) where a lookup may find nothing,
403 and 422 pass on the upstream reason, a bad answer is 502
``<name>_bad_answer``, anything else 503 ``<name>_unavailable``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from edu_contracts.documents_api import ReceiptDocuments
from edu_contracts.registry_api import (
    InstitutionSummary,
    LearnerInstitutions,
    RepresentedPersons,
    ResourceOffers,
)
from edu_runtime.clients.documents import DocumentsClient
from edu_runtime.clients.registry import RegistryClient
from edu_runtime.errors import ApiError
from edu_runtime.service_client import ServiceClient, UpstreamProblem, UpstreamUnavailable

T = TypeVar("T")
log = logging.getLogger(__name__)


def _as_api_error(name: str, problem: UpstreamProblem) -> ApiError:
    """An upstream refusal or failure as this service's answer."""
    if isinstance(problem, UpstreamUnavailable):
        if problem.status == 502 and problem.reason.endswith("_bad_answer"):
            return ApiError(502, f"{name}_bad_answer", f"The {name} service answered unexpectedly.")
        if isinstance(problem.__context__, httpx.HTTPError):
            log.warning("upstream %s call failed: %s", name, problem.detail)
            return ApiError(
                503, f"{name}_unavailable", f"The {name} service does not answer; try again."
            )
    else:
        given = problem.body.get("reason") if isinstance(problem.body, dict) else None
        reason = given if isinstance(given, str) and given else None
        if problem.status == 403:
            return ApiError(403, reason or "forbidden", "The registers do not allow this for you.")
        if problem.status == 422:
            return ApiError(422, reason or "validation_error", "The registers refused the input.")
    return ApiError(503, f"{name}_unavailable", f"The {name} service answered {problem.status}.")


async def _upstream(name: str, call: Callable[[], Awaitable[T]]) -> T | None:
    """The answer; None for a 404; any other refusal as an ``ApiError``."""
    try:
        return await call()
    except UpstreamProblem as problem:
        if problem.status == 404 and not isinstance(problem, UpstreamUnavailable):
            return None
        raise _as_api_error(name, problem) from None


class RegistryLookups:
    """registry-reader's lookups, as the caller (their token)."""

    def __init__(self, service: ServiceClient, *, lang: str = "lv") -> None:
        self._service = service
        self._lang = lang

    def _as(self, token: str) -> RegistryClient:
        return RegistryClient(self._service.acting_as(token, self._lang))

    async def represented_persons(self, token: str) -> RepresentedPersons:
        found = await _upstream("registry", self._as(token).represented_persons)
        return found or RepresentedPersons(items=())

    async def learner_institutions(
        self, learner_code: str, token: str
    ) -> LearnerInstitutions | None:
        client = self._as(token)
        return await _upstream("registry", lambda: client.learner_institutions(learner_code))

    async def employee_institutions(self, token: str) -> LearnerInstitutions | None:
        return await _upstream("registry", self._as(token).employee_institutions)

    async def institution(self, institution_id: str, token: str) -> InstitutionSummary | None:
        client = self._as(token)
        return await _upstream("registry", lambda: client.institution(institution_id))

    async def offers(self, institution_id: str, token: str) -> ResourceOffers | None:
        client = self._as(token)
        return await _upstream("registry", lambda: client.offers(institution_id))


class ReceiptDocumentsCatalog:
    """The documents service's current receipt documents, as the caller."""

    def __init__(self, service: ServiceClient) -> None:
        self._service = service

    async def current(self, token: str, lang: str = "lv") -> ReceiptDocuments:
        client = DocumentsClient(self._service.acting_as(token, lang))
        found = await _upstream("documents", client.receipt_documents)
        if found is None:
            raise ApiError(
                503, "documents_unavailable", "The list of receipt documents is unavailable."
            )
        return found
