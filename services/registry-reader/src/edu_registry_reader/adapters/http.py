"""HTTP API of registry-reader: "My data" for the portal and the lookups of
the application wizard (``edu_contracts.registry_api``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from edu_contracts.documents import (
    Language,
    MyDataPrintoutContent,
    PersonRef,
    RenderRequested,
    RenderRequestedPayload,
)
from edu_contracts.http import RequestBody
from edu_contracts.my_data import AccessLogPage, MyDataAnswer
from edu_contracts.registry_api import (
    InstitutionSummary,
    LearnerInstitutions,
    RepresentedPersons,
    ResourceOffers,
)
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity, citizens_only
from edu_runtime.errors import ApiError
from edu_runtime.http import correlation_id
from edu_runtime.language import negotiate
from edu_runtime.paging import PageRequest, paging
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, Field

from edu_registry_reader.domain import rules
from edu_registry_reader.service import TERMS_VERSION, RegistryService, Subject

MAX_PAGE = 200


class TermsAcceptance(RequestBody):
    terms_version: str = TERMS_VERSION


class PrintoutRequest(RequestBody):
    """Whose data to print: yourself (``{}``) or a person you represent."""

    person_code: str | None = Field(
        default=None, description="A represented person's personal code; omit for yourself."
    )


class TermsAccepted(BaseModel):
    terms_version: str
    accepted_at: dt.datetime


class DocumentRequested(BaseModel):
    document_id: uuid.UUID


def language(request: Request[Any, Any, Any], lang: str | None) -> Language:
    """The shared negotiation (``edu_runtime.language``)."""
    return negotiate(lang, request.headers.get("accept-language"))


def answer_json(answer: MyDataAnswer) -> dict[str, Any]:
    """The answer with absent blocks left out (not null), as the portal expects."""
    body = answer.model_dump(mode="json")
    body["blocks"] = {k: v for k, v in body["blocks"].items() if v is not None}
    if body["message"] is None:
        del body["message"]
    return body


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MyDataController(Controller):
    """Seeds part A, for citizens signed in through the portal."""

    path = "/api/v1"
    guards = [citizens_only]
    tags = ["my data"]

    @post("/terms/my-data/acceptance", status_code=201)
    async def accept_terms(
        self,
        data: JSONBody[TermsAcceptance],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
    ) -> TermsAccepted:
        """Record that the caller accepted the current terms of use (step 2)."""
        if data.terms_version != TERMS_VERSION:
            raise ApiError(409, "terms_version_outdated", f"The current terms are {TERMS_VERSION}.")
        now = _now()
        await service.store.accept_terms(identity.personal_code, TERMS_VERSION, now)
        return TermsAccepted(terms_version=TERMS_VERSION, accepted_at=now)

    @get("/represented-persons")
    async def represented_persons(
        self, identity: NamedDependency[Identity], service: NamedDependency[RegistryService]
    ) -> RepresentedPersons:
        """The persons the caller may represent today, each with its basis."""
        return await service.represented_persons(identity, _now())

    async def _subject(
        self,
        identity: Identity,
        service: RegistryService,
        person_code: str | None,
        lang: Language,
        now: dt.datetime,
    ) -> Subject:
        await service.require_terms(identity, lang)
        return await service.subject(identity, person_code, rules.today_in_latvia(now), lang)

    @get(
        "/my-data",
        responses={
            200: ResponseSpec(
                data_container=MyDataAnswer, description="The blocks", generate_examples=False
            )
        },
    )
    async def my_data(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        person_code: FromQuery[str | None] = None,
        lang: FromQuery[str | None] = None,
    ) -> Response[dict[str, Any]]:
        """The caller's data, or (``person_code``) a represented person's. Blocks
        with no data are absent; with no data at all, ``message`` says so."""
        language_ = language(request, lang)
        now = _now()
        subject = await self._subject(identity, service, person_code, language_, now)
        answer = await service.my_data(identity, subject, now, language_)
        record = await service.access_record(
            identity, subject, rules.shown_blocks(answer.blocks), "my_data", now
        )
        await service.store.log_access_grouped(record)
        return Response(answer_json(answer), media_type=MediaType.JSON)

    @post("/my-data/pdf", status_code=202)
    async def my_data_pdf(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        runtime: NamedDependency[ServiceRuntime],
        data: JSONBody[PrintoutRequest],
        lang: FromQuery[str | None] = None,
    ) -> DocumentRequested:
        """ "Saglabāt kā PDF": asks the documents service to print exactly the
        blocks shown; fetch it from ``GET /api/v1/documents/{document_id}`` there.
        Whose data is in the body (``{}`` for yourself, ``{"person_code": …}`` for
        a represented person); there is no query form."""
        language_ = language(request, lang)
        now = _now()
        subject = await self._subject(identity, service, data.person_code, language_, now)
        answer = await service.my_data(identity, subject, now, language_)
        document_id = uuid.uuid4()
        command = RenderRequested(
            producer=ServiceName.REGISTRY_READER,
            correlation_id=correlation_id(request),
            payload=RenderRequestedPayload(
                document_id=document_id,
                language=language_,
                reader_code=identity.personal_code,
                content=MyDataPrintoutContent(
                    subject=PersonRef(
                        personal_code=subject.code, full_name=answer.subject.full_name or "—"
                    ),
                    basis=subject.basis,
                    blocks=answer.blocks,
                    message=answer.message,
                    extracted_at=now,
                ),
            ),
        )
        record = await service.access_record(
            identity, subject, rules.shown_blocks(answer.blocks), "my_data_pdf", now
        )

        async def save(uow: UnitOfWork) -> None:
            await service.store.log_access([record], uow.session)
            uow.emit(command)

        await runtime.unit_of_work(save)
        return DocumentRequested(document_id=document_id)

    @get("/my-data/access-log", dependencies={"page": paging(default=50, maximum=MAX_PAGE)})
    async def access_log(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        page: NamedDependency[PageRequest],
        lang: FromQuery[str | None] = None,
    ) -> AccessLogPage:
        """Who read the caller's data, when, which blocks, on what basis (newest first)."""
        await service.require_terms(identity, language(request, lang))
        return await service.store.access_log(
            identity.personal_code, limit=page.limit, offset=page.offset
        )


class LookupsController(Controller):
    """Lookups of the application wizard (see ``edu_contracts.registry_api``)."""

    path = "/api/v1/lookups"
    tags = ["wizard lookups"]

    @get("/learners/{code:str}/institutions", guards=[citizens_only])
    async def learner_institutions(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
    ) -> LearnerInstitutions:
        """Where the caller, or a person they represent today, is enrolled now."""
        return await service.learner_institutions(identity, code, _now(), language(request, None))

    @get("/employees/me/institutions", guards=[citizens_only])
    async def employee_institutions(
        self, identity: NamedDependency[Identity], service: NamedDependency[RegistryService]
    ) -> LearnerInstitutions:
        """Institutions where the caller is employed now."""
        return await service.employee_institutions(identity, _now())

    @get("/institutions/{institution_id:str}")
    async def institution(
        self, institution_id: FromPath[str], service: NamedDependency[RegistryService]
    ) -> InstitutionSummary:
        """Public register data of one institution (no personal data)."""
        found = await service.store.institution(institution_id)
        if found is None:
            raise ApiError(404, "institution_not_found", "No such institution in the register.")
        return rules.summary(found)

    @get("/institutions/{institution_id:str}/resource-offers")
    async def resource_offers(
        self, institution_id: FromPath[str], service: NamedDependency[RegistryService]
    ) -> ResourceOffers:
        """The resources the institution lends for individual use."""
        if await service.store.institution(institution_id) is None:
            raise ApiError(404, "institution_not_found", "No such institution in the register.")
        offers = await service.store.offers(institution_id)
        return ResourceOffers(
            institution_id=institution_id, items=tuple(o.to_contract() for o in offers)
        )
