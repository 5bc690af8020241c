"""HTTP API of registry-reader: "My data" for the portal and the lookups of
the application wizard (``edu_contracts.registry_api``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_contracts.documents_api import DocumentRequested
from edu_contracts.http import RequestBody
from edu_contracts.my_data import AccessLogPage, MyDataAnswer, WhoseData
from edu_contracts.refusals import Conflict, NotFound, NotPermitted, Refusal
from edu_contracts.registry_api import (
    InstitutionsOfLearner,
    InstitutionSummary,
    LearnerInstitutions,
    OffersForLearner,
    RepresentedPersons,
    ResourceOffers,
)
from edu_runtime.auth import Identity, citizens_only
from edu_runtime.http import correlation_id
from edu_runtime.language import LangQuery, language_of, negotiate
from edu_runtime.paging import PageRequest, paging
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from edu_registry_reader.service import TERMS_VERSION, RegistryService

MAX_PAGE = 200

# The one mapping of refusals to HTTP statuses (registered in app.py; the body
# is the usual ErrorBody with the rule's reason). The most specific class wins.
REFUSALS: dict[type[Exception], int] = {
    Refusal: 422,
    Conflict: 409,
    NotPermitted: 403,
    NotFound: 404,
}


class TermsAcceptance(RequestBody):
    terms_version: str = TERMS_VERSION


class TermsAccepted(BaseModel):
    terms_version: str
    accepted_at: dt.datetime


def answer_json(answer: MyDataAnswer) -> dict[str, Any]:
    """The answer with absent blocks left out (not null), as the portal expects."""
    body = answer.model_dump(mode="json")
    body["blocks"] = {k: v for k, v in body["blocks"].items() if v is not None}
    if body["message"] is None:
        del body["message"]
    return body


_MY_DATA_RESPONSES = {
    200: ResponseSpec(
        data_container=MyDataAnswer, description="The blocks", generate_examples=False
    )
}


def _about_a_learner(path: str) -> post:
    """A lookup about a learner the caller names in the body: theirs to ask
    about only if it is the caller or someone they represent today."""
    return post(
        path,
        status_code=200,
        guards=[citizens_only],
        opt={"errors": {403: "not_represented: the learner is not the caller's to ask about."}},
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MyDataController(Controller):
    """Seeds part A, for citizens signed in through the portal."""

    path = "/api/v1"
    guards = [citizens_only]
    tags = ["my data"]

    @post(
        "/terms/my-data/acceptance",
        status_code=201,
        opt={"errors": {409: "terms_version_outdated: not the current terms."}},
    )
    async def accept_terms(
        self,
        data: JSONBody[TermsAcceptance],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
    ) -> TermsAccepted:
        """Record that the caller accepted the current terms of use (step 2)."""
        now = _now()
        await service.accept_terms(identity, data.terms_version, now)
        return TermsAccepted(terms_version=TERMS_VERSION, accepted_at=now)

    @get("/represented-persons")
    async def represented_persons(
        self, identity: NamedDependency[Identity], service: NamedDependency[RegistryService]
    ) -> RepresentedPersons:
        """The persons the caller may represent today, each with its basis."""
        return await service.represented_persons(identity, _now())

    @get("/my-data", responses=_MY_DATA_RESPONSES)
    async def my_data(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        lang: LangQuery = None,
    ) -> Response[dict[str, Any]]:
        """The caller's own data. Blocks with no data are absent; with no data
        at all, ``message`` says so. A represented person's: ``POST /my-data/query``."""
        answer = await service.read_my_data(
            identity, None, negotiate(lang, request.headers.get("accept-language")), _now()
        )
        return Response(answer_json(answer), media_type=MediaType.JSON)

    @post("/my-data/query", status_code=200, responses=_MY_DATA_RESPONSES)
    async def whose_data(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        data: JSONBody[WhoseData],
        lang: LangQuery = None,
    ) -> Response[dict[str, Any]]:
        """The data of the person in the body: ``{}`` for yourself,
        ``{"person_code": …}`` for a person you represent (a personal code is
        never in the address, so never in a proxy's or access log)."""
        answer = await service.read_my_data(
            identity,
            data.person_code,
            negotiate(lang, request.headers.get("accept-language")),
            _now(),
        )
        return Response(answer_json(answer), media_type=MediaType.JSON)

    @post("/my-data/pdf", status_code=202)
    async def my_data_pdf(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        data: JSONBody[WhoseData],
        lang: LangQuery = None,
    ) -> DocumentRequested:
        """ "Saglabāt kā PDF": asks the documents service to print exactly the
        blocks shown; fetch it from ``GET /api/v1/documents/{document_id}`` there.
        Whose data is in the body (``{}`` for yourself, ``{"person_code": …}`` for
        a represented person); there is no query form."""
        document_id = await service.request_printout(
            identity,
            data.person_code,
            negotiate(lang, request.headers.get("accept-language")),
            correlation_id(request),
            _now(),
        )
        return DocumentRequested(document_id=document_id)

    @get("/my-data/access-log", dependencies={"page": paging(default=50, maximum=MAX_PAGE)})
    async def access_log(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
        page: NamedDependency[PageRequest],
        lang: LangQuery = None,
    ) -> AccessLogPage:
        """Who read the caller's data, when, which blocks, on what basis (newest first)."""
        return await service.access_log(
            identity,
            negotiate(lang, request.headers.get("accept-language")),
            limit=page.limit,
            offset=page.offset,
        )


class LookupsController(Controller):
    """Lookups of the application wizard (see ``edu_contracts.registry_api``)."""

    path = "/api/v1/lookups"
    tags = ["wizard lookups"]

    # A POST with the code in the body, not GET /learners/{code}/institutions:
    # a personal code in a URL ends up in proxies' and access logs.
    @_about_a_learner("/learner-institutions")
    async def learner_institutions(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[InstitutionsOfLearner],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
    ) -> LearnerInstitutions:
        """Where the learner is enrolled now: ``{"learner_code": …}`` is the
        caller or a person they represent today; null or ``{}``: the caller.
        Logged in the learner's access log as a read by the caller."""
        return await service.learner_institutions(
            identity, data.learner_code, _now(), language_of(request)
        )

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
        return await service.institution(institution_id)

    @get("/institutions/{institution_id:str}/resource-offers")
    async def resource_offers(
        self, institution_id: FromPath[str], service: NamedDependency[RegistryService]
    ) -> ResourceOffers:
        """The resources the institution lends for individual use (all of them:
        the verification of an application reads this; the wizard's step 4
        asks for a learner's with the POST below)."""
        return await service.resource_offers(institution_id)

    @_about_a_learner("/institutions/{institution_id:str}/resource-offers/for-learner")
    async def resource_offers_for_learner(
        self,
        request: Request[Any, Any, Any],
        institution_id: FromPath[str],
        data: JSONBody[OffersForLearner],
        identity: NamedDependency[Identity],
        service: NamedDependency[RegistryService],
    ) -> ResourceOffers:
        """The offers this learner may get (wizard step 4): an offer the school
        limits to some classes or programmes is listed only to learners in them."""
        return await service.resource_offers_for(
            identity, institution_id, data.learner_code, _now(), language_of(request)
        )
