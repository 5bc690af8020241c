"""The applications, registry-reader and documents calls of the resource
application pages, as the signed-in person (their session's gateway JWT)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from edu_contracts.documents_api import ReceiptDocuments
from edu_contracts.registry_api import LearnerInstitutions, RepresentedPersons, ResourceOffers
from pydantic import ValidationError

from edu_portal.applications.models import ApplicationList, ApplicationView, TermsView
from edu_portal.web.api import ApiProblem, Backend, Unavailable
from edu_portal.web.context import Portal, SignedIn
from edu_portal.web.i18n import current_lang

APPS = "/api/v1/applications"
TERMS = "/api/v1/terms/resource-applications"


class Calls:
    def __init__(self, signed_in: SignedIn, portal: Portal) -> None:
        self.signed_in = signed_in
        self.api = portal.api

    async def _token(self) -> str:
        return await self.signed_in.token()

    def _lang(self) -> dict[str, str]:
        return {"lang": current_lang().value}

    # --- terms ------------------------------------------------------------
    async def terms(self) -> TermsView:
        return await self.api.get(Backend.APPLICATIONS, TERMS, await self._token(), TermsView)

    async def accept_terms(self) -> None:
        await self.api.request(
            Backend.APPLICATIONS, "POST", f"{TERMS}/acceptance", await self._token(), json={}
        )

    # --- registers ----------------------------------------------------------
    async def represented(self) -> RepresentedPersons:
        return await self.api.get(
            Backend.REGISTRY, "/api/v1/represented-persons", await self._token(), RepresentedPersons
        )

    async def learner_institutions(self, learner_code: str | None) -> LearnerInstitutions:
        """The learner's institutions (an employee's own when ``learner_code`` is
        None); the code goes in the body, not the URL."""
        if learner_code is None:
            return await self.api.get(
                Backend.REGISTRY,
                "/api/v1/lookups/employees/me/institutions",
                await self._token(),
                LearnerInstitutions,
            )
        return await self.api.post(
            Backend.REGISTRY,
            "/api/v1/lookups/learner-institutions",
            await self._token(),
            LearnerInstitutions,
            json={"learner_code": learner_code},
        )

    async def offers(self, institution_id: str, learner_code: str | None) -> ResourceOffers:
        """The offers this learner may get (an offer for some classes only is
        not listed to others); the code goes in the body, not the URL."""
        return await self.api.post(
            Backend.REGISTRY,
            f"/api/v1/lookups/institutions/{institution_id}/resource-offers/for-learner",
            await self._token(),
            ResourceOffers,
            json={"learner_code": learner_code},
        )

    async def receipt_documents(self) -> ReceiptDocuments:
        return await self.api.get(
            Backend.DOCUMENTS,
            "/api/v1/documents/receipt-documents",
            await self._token(),
            ReceiptDocuments,
            params=self._lang(),
        )

    async def preview(self, code: str) -> bytes:
        r = await self.api.request(
            Backend.DOCUMENTS,
            "GET",
            f"/api/v1/documents/receipt-documents/{code}/preview",
            await self._token(),
            params=self._lang(),
        )
        return r.content

    async def document_pdf(self, document_id: UUID) -> tuple[bytes, str | None]:
        r = await self.api.request(
            Backend.DOCUMENTS, "GET", f"/api/v1/documents/{document_id}/pdf", await self._token()
        )
        return r.content, r.headers.get("content-disposition")

    # --- applications ---------------------------------------------------------
    async def mine(self, limit: int, offset: int) -> ApplicationList:
        return await self.api.get(
            Backend.APPLICATIONS,
            APPS,
            await self._token(),
            ApplicationList,
            params={"limit": limit, "offset": offset, **self._lang()},
        )

    async def one(self, app_id: UUID | str) -> ApplicationView:
        return await self.api.get(
            Backend.APPLICATIONS,
            f"{APPS}/{app_id}",
            await self._token(),
            ApplicationView,
            params=self._lang(),
        )

    async def change(
        self, method: str, app_id: UUID | str | None, action: str, body: dict[str, Any]
    ) -> ApplicationView:
        """One change of an application (or a new draft when ``app_id`` is None);
        refusals come back as ``ApiProblem`` with the service's reason."""
        path = APPS if app_id is None else f"{APPS}/{app_id}{action}"
        r = await self.api.request(
            Backend.APPLICATIONS, method, path, await self._token(), json=body, params=self._lang()
        )
        payload = r.json()
        if isinstance(payload, dict) and "application" in payload:
            payload = payload["application"]  # an incident report answers with both
        try:
            return ApplicationView.model_validate(payload)
        except ValidationError as exc:
            raise Unavailable(502, "applications_bad_answer", str(exc)[:200]) from None


def open_application_id(problem: ApiProblem) -> str | None:
    """The open application named by a 409 ``open_application_exists``."""
    body = problem.body if isinstance(problem.body, dict) else {}
    extra = body.get("extra") if isinstance(body.get("extra"), dict) else {}
    found = extra.get("application_id") if extra else None
    return str(found) if found else None


def invalid_fields(problem: ApiProblem) -> set[str]:
    """The body fields a 422 names (``extra.errors[].loc``)."""
    body = problem.body if isinstance(problem.body, dict) else {}
    extra = body.get("extra") if isinstance(body.get("extra"), dict) else {}
    fields: set[str] = set()
    for err in (extra or {}).get("errors", []) or []:
        loc = err.get("loc") if isinstance(err, dict) else None
        if isinstance(loc, list) and loc:
            fields.add(str(loc[-1] if loc[-1] not in ("", None) else loc[0]))
        elif isinstance(loc, str):
            fields.add(loc)
    return fields
