"""The applications service's citizen API: the terms of e-service B, the
caller's applications, and every change of one (the wizard's steps, submit,
withdraw, contact, receipt confirmation, loss or theft). Bodies and answers
are ``edu_contracts.applications_api``; a learner's personal code only in a
body; the language as ``Accept-Language``."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar
from uuid import UUID

from edu_contracts.applications import ApplicantRole
from edu_contracts.applications_api import (
    ApplicationList,
    ApplicationView,
    ContactStep,
    DocumentAck,
    DocumentsStep,
    DraftRequest,
    IncidentKind,
    IncidentReport,
    IncidentReported,
    InstitutionStep,
    ResourceStep,
    SocialGroup,
    SocialStatusStep,
    TermsAcceptance,
    TermsState,
    Versioned,
    Withdrawal,
)
from pydantic import BaseModel, ValidationError

from edu_runtime.service_client import ServiceClient, UpstreamProblem

B = TypeVar("B", bound=BaseModel)


def _body(model: type[B], **fields: Any) -> B:
    """A request body; one the contract refuses (a version 0 from a garbled
    form) is refused here as the service would refuse it: 422
    ``validation_error`` naming the fields."""
    try:
        return model(**fields)
    except ValidationError as exc:
        errors = [{"loc": ["body", *map(str, e["loc"])], "type": e["type"]} for e in exc.errors()]
        body = {"reason": "validation_error", "extra": {"errors": errors}}
        raise UpstreamProblem(422, "validation_error", "The request is not valid.", body) from None


APPS = "/api/v1/applications"
TERMS = "/api/v1/terms/resource-applications"


class ApplicationsClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    # --- terms ------------------------------------------------------------------
    async def terms(self) -> TermsState:
        return await self.service.read("GET", TERMS, TermsState)

    async def accept_terms(self) -> None:
        await self.service.send("POST", f"{TERMS}/acceptance", body=TermsAcceptance())

    # --- reading ----------------------------------------------------------------
    async def mine(self, *, limit: int, offset: int) -> ApplicationList:
        """The caller's applications, newest first, one page."""
        return await self.service.read(
            "GET", APPS, ApplicationList, params={"limit": limit, "offset": offset}
        )

    async def one(self, app_id: UUID | str) -> ApplicationView:
        return await self.service.read("GET", f"{APPS}/{app_id}", ApplicationView)

    # --- changes (each answers with the application as it is now) ---------------
    async def create_draft(
        self, role: ApplicantRole, learner_code: str | None = None
    ) -> ApplicationView:
        body = _body(DraftRequest, role=role, learner_code=learner_code)
        return await self.service.read("POST", APPS, ApplicationView, body=body)

    async def _change(
        self, method: str, app_id: UUID | str, action: str, body: BaseModel
    ) -> ApplicationView:
        return await self.service.read(
            method, f"{APPS}/{app_id}/{action}", ApplicationView, body=body
        )

    async def choose_institution(
        self, app_id: UUID | str, version: int, institution_id: str
    ) -> ApplicationView:
        body = _body(InstitutionStep, version=version, institution_id=institution_id)
        return await self._change("PUT", app_id, "institution", body)

    async def set_social_status(
        self, app_id: UUID | str, version: int, group: SocialGroup | None
    ) -> ApplicationView:
        """Socially supported (in ``group``) or not (None)."""
        body = _body(
            SocialStatusStep,
            version=version,
            socially_supported=group is not None,
            social_group=group,
        )
        return await self._change("PUT", app_id, "social-status", body)

    async def choose_resource(
        self, app_id: UUID | str, version: int, offer_id: str
    ) -> ApplicationView:
        body = _body(ResourceStep, version=version, offer_id=offer_id)
        return await self._change("PUT", app_id, "resource", body)

    async def acknowledge_documents(
        self, app_id: UUID | str, version: int, documents: list[tuple[str, str]]
    ) -> ApplicationView:
        """The receipt documents read: (code, version) each."""
        acknowledged = [DocumentAck(code=code, version=v) for code, v in documents]
        body = _body(DocumentsStep, version=version, acknowledged=acknowledged)
        return await self._change("PUT", app_id, "documents", body)

    async def update_contact(
        self, app_id: UUID | str, version: int, phone: str, email: str
    ) -> ApplicationView:
        body = _body(ContactStep, version=version, phone=phone, email=email)
        return await self._change("PATCH", app_id, "contact", body)

    async def submit(self, app_id: UUID | str, version: int) -> ApplicationView:
        return await self._change("POST", app_id, "submit", _body(Versioned, version=version))

    async def withdraw(self, app_id: UUID | str, version: int) -> ApplicationView:
        return await self._change("POST", app_id, "withdraw", _body(Withdrawal, version=version))

    async def confirm_receipt(self, app_id: UUID | str, version: int) -> ApplicationView:
        body = _body(Versioned, version=version)
        return await self._change("POST", app_id, "receipt-confirmation", body)

    async def report_incident(
        self,
        app_id: UUID | str,
        version: int,
        kind: IncidentKind,
        description: str,
        occurred_on: dt.date | None = None,
    ) -> ApplicationView:
        body = _body(
            IncidentReport,
            version=version,
            kind=kind,
            description=description,
            occurred_on=occurred_on,
        )
        reported = await self.service.read(
            "POST", f"{APPS}/{app_id}/incidents", IncidentReported, body=body
        )
        return reported.application
