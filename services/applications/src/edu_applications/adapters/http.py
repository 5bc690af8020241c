"""HTTP API of applications (citizens through the gateway)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_contracts.applications import ActorRole, ApplicantRole, StatusChanged, StatusChangedPayload
from edu_contracts.personal_code import PersonalCode
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity, citizens_only
from edu_runtime.errors import ApiError
from edu_runtime.http import correlation_id
from edu_runtime.mongo import transaction
from edu_runtime.runtime import ServiceRuntime
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, ConfigDict

from edu_applications.adapters.store import ApplicationStore
from edu_applications.domain.model import Application, start_draft

TERMS_VERSION = "2026-09-01"


class TermsAcceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    terms_version: str = TERMS_VERSION


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: ApplicantRole
    learner_code: PersonalCode | None = None


class ApplicationsController(Controller):
    path = "/api/v1"
    guards = [citizens_only]

    @post("/terms/resource-applications/acceptance", status_code=201)
    async def accept_terms(
        self,
        data: JSONBody[TermsAcceptance],
        identity: NamedDependency[Identity],
        store: NamedDependency[ApplicationStore],
    ) -> dict[str, str]:
        if data.terms_version != TERMS_VERSION:
            raise ApiError(409, "terms_version_outdated", f"The current terms are {TERMS_VERSION}.")
        now = dt.datetime.now(dt.UTC)
        await store.accept_terms(identity.personal_code, TERMS_VERSION, now)
        return {"terms_version": TERMS_VERSION, "accepted_at": now.isoformat()}

    @post("/applications", status_code=201)
    async def create_draft(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DraftRequest],
        identity: NamedDependency[Identity],
        store: NamedDependency[ApplicationStore],
        runtime: NamedDependency[ServiceRuntime],
    ) -> Application:
        if not await store.has_accepted(identity.personal_code, TERMS_VERSION):
            raise ApiError(403, "terms_not_accepted", "Accept the e-service terms of use first.")
        now = dt.datetime.now(dt.UTC)
        app = start_draft(
            applicant_code=identity.personal_code,
            role=data.role,
            learner_code=data.learner_code,
            now=now,
        )
        event = StatusChanged(
            producer=ServiceName.APPLICATIONS,
            correlation_id=correlation_id(request),
            payload=StatusChangedPayload(
                application_id=app.id,
                from_status=None,
                to_status=app.status,
                changed_at=now,
                actor_role=ActorRole.CITIZEN,
                version=app.version,
            ),
        )
        async with transaction(runtime.mongo) as session:
            await store.insert(app, session)
            await runtime.emit(session, event)
        runtime.outbox.notify()
        return app

    @get("/applications/{app_id:str}")
    async def get_application(
        self,
        app_id: FromPath[str],
        identity: NamedDependency[Identity],
        store: NamedDependency[ApplicationStore],
    ) -> Application:
        app = await store.get(app_id)
        if app is None or app.applicant_code != identity.personal_code:
            raise ApiError(404, "application_not_found", "No such application.")
        return app
