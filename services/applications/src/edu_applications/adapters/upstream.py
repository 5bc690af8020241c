"""Clients for the two services the wizard reads synchronously: registry-reader
(lookups) and documents (the documents confirmed on receipt). The citizen's
own gateway token is forwarded, so those services decide what the caller may
see; this service never widens it."""

from __future__ import annotations

import logging
from typing import TypeVar

import httpx
from edu_contracts.documents_api import ReceiptDocuments
from edu_contracts.registry_api import (
    InstitutionsOfLearner,
    InstitutionSummary,
    LearnerInstitutions,
    RepresentedPersons,
    ResourceOffers,
)
from edu_runtime.errors import ApiError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger(__name__)


class UpstreamClient:
    def __init__(self, name: str, client: httpx.AsyncClient) -> None:
        self._name = name
        self._client = client

    async def get(self, path: str, model: type[M], token: str, *, lang: str = "lv") -> M | None:
        """The parsed answer, or None on 404. 403 passes through with the upstream reason."""
        return await self._call("GET", path, model, token, lang=lang)

    async def post(
        self, path: str, body: BaseModel, model: type[M], token: str, *, lang: str = "lv"
    ) -> M | None:
        """A read that takes its input in a JSON body (a personal code, which
        must not be in a URL); answers as ``get``."""
        return await self._call("POST", path, model, token, lang=lang, body=body)

    async def _request(
        self, method: str, path: str, token: str, lang: str, body: BaseModel | None
    ) -> httpx.Response:
        """No retry: the client drops an idle connection before the server
        closes it (``edu_runtime.serve``'s keep-alive figures), so the race
        that a retry once covered does not arise."""
        return await self._client.request(
            method,
            path,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": lang},
            json=None if body is None else body.model_dump(mode="json"),
        )

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        token: str,
        *,
        lang: str,
        body: BaseModel | None = None,
    ) -> M | None:
        try:
            r = await self._request(method, path, token, lang, body)
        except httpx.HTTPError as exc:
            log.warning("upstream %s call failed: %r", self._name, exc)
            raise ApiError(
                503,
                f"{self._name}_unavailable",
                f"The {self._name} service does not answer; try again.",
            ) from None
        if r.status_code == 404:
            return None
        if r.status_code == 403:
            reason = _reason(r) or "forbidden"
            raise ApiError(403, reason, "The registers do not allow this for you.")
        if r.status_code == 422:
            raise ApiError(
                422, _reason(r) or "validation_error", "The registers refused the input."
            )
        if r.status_code != 200:
            raise ApiError(
                503,
                f"{self._name}_unavailable",
                f"The {self._name} service answered {r.status_code}.",
            )
        try:
            return model.model_validate_json(r.content)
        except ValidationError:
            raise ApiError(
                502, f"{self._name}_bad_answer", f"The {self._name} service answered unexpectedly."
            ) from None


def _reason(response: httpx.Response) -> str | None:
    try:
        reason = response.json().get("reason")
    except ValueError:
        return None
    return reason if isinstance(reason, str) else None


class RegistryLookups:
    def __init__(self, upstream: UpstreamClient) -> None:
        self._up = upstream

    async def represented_persons(self, token: str) -> RepresentedPersons:
        found = await self._up.get("/api/v1/represented-persons", RepresentedPersons, token)
        return found or RepresentedPersons(items=())

    async def learner_institutions(
        self, learner_code: str, token: str
    ) -> LearnerInstitutions | None:
        return await self._up.post(
            "/api/v1/lookups/learner-institutions",
            InstitutionsOfLearner(learner_code=learner_code),
            LearnerInstitutions,
            token,
        )

    async def employee_institutions(self, token: str) -> LearnerInstitutions | None:
        return await self._up.get(
            "/api/v1/lookups/employees/me/institutions", LearnerInstitutions, token
        )

    async def institution(self, institution_id: str, token: str) -> InstitutionSummary | None:
        return await self._up.get(
            f"/api/v1/lookups/institutions/{institution_id}", InstitutionSummary, token
        )

    async def offers(self, institution_id: str, token: str) -> ResourceOffers | None:
        return await self._up.get(
            f"/api/v1/lookups/institutions/{institution_id}/resource-offers", ResourceOffers, token
        )


class ReceiptDocumentsCatalog:
    def __init__(self, upstream: UpstreamClient) -> None:
        self._up = upstream

    async def current(self, token: str, lang: str = "lv") -> ReceiptDocuments:
        found = await self._up.get(
            f"/api/v1/documents/receipt-documents?lang={lang}", ReceiptDocuments, token, lang=lang
        )
        if found is None:
            raise ApiError(
                503, "documents_unavailable", "The list of receipt documents is unavailable."
            )
        return found
