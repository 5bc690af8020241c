"""HTTP API of applications: citizens (through the portal's gateway) and staff
of education institutions. Handlers translate HTTP to use cases and back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from edu_contracts.applications import ApplicationStatus
from edu_contracts.applications_api import (
    ApplicationSummary,
    DocumentsStep,
    DraftRequest,
    IncidentReport,
    InstitutionStep,
    ResourceStep,
    SocialStatusStep,
    TermsAcceptance,
    TermsState,
    Versioned,
    Withdrawal,
)
from edu_contracts.http import Page
from edu_contracts.items import ItemReservation
from edu_runtime.auth import citizens_only, staff_only
from edu_runtime.errors import ApiError
from edu_runtime.http import correlation_id
from edu_runtime.language import LANGUAGE_QUERY, language_of
from edu_runtime.paging import PageRequest
from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from edu_applications.adapters.dependencies import Me, Paging, Req, Sent, Service
from edu_applications.adapters.inbox_store import InboxFilter, InboxSort, InboxStore
from edu_applications.adapters.responses import page_of
from edu_applications.adapters.views import (
    OPEN_INCIDENT,
    QUERY_MAX,
    ApplicationDetail,
    ApplicationView,
    ContactStep,
    DecisionRequest,
    IncidentClosing,
    IncidentCreated,
    IncidentQuery,
    ReturnRequest,
    SearchQuery,
    StatusQuery,
    summary_of,
)
from edu_applications.domain.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    NotPermitted,
)
from edu_applications.domain.model import Contact
from edu_applications.service.sent_messages import SentMessages

# The one mapping of refusals to HTTP statuses (registered in app.py; the body
# is the usual ErrorBody with the rule's reason). The most specific class wins.
REFUSALS: dict[type[Exception], int] = {
    DomainError: 422,
    Conflict: 409,
    IllegalTransition: 409,
    NotPermitted: 403,
    NotFound: 404,
}


def _view(request: Req, app: Any) -> ApplicationView:
    return ApplicationView.of(app, language_of(request))


async def _detail(request: Req, app: Any, sent_messages: SentMessages) -> ApplicationDetail:
    messages = await sent_messages.of_application(str(app.id))
    return ApplicationDetail.with_messages(app, language_of(request), messages)


class TermsController(Controller):
    path = "/api/v1/terms/resource-applications"
    guards = [citizens_only]
    tags = ["terms"]

    @get("/")
    async def current_terms(self, identity: Me, service: Service) -> TermsState:
        """The current terms version and whether the caller has accepted it."""
        return TermsState(
            terms_version=service.terms.version,
            accepted=await service.terms.accepted(identity),
            checkbox_label="Piekrītu e-pakalpojuma lietošanas noteikumiem",
        )

    @post(
        "/acceptance",
        status_code=201,
        opt={"errors": {409: "terms_version_outdated: not the current terms."}},
    )
    async def accept(
        self, data: JSONBody[TermsAcceptance], identity: Me, service: Service
    ) -> dict[str, str]:
        version = data.terms_version or service.terms.version
        at = await service.terms.accept(identity, version)
        return {"terms_version": version, "accepted_at": at.isoformat()}


class CitizenApplicationsController(Controller):
    path = "/api/v1/applications"
    guards = [citizens_only]
    tags = ["applications (citizen)"]
    parameters = LANGUAGE_QUERY  # status labels in the answers

    @post("/", status_code=201)
    async def create_draft(
        self, request: Req, data: JSONBody[DraftRequest], identity: Me, service: Service
    ) -> ApplicationView:
        """Step 1 (profile): start a draft for yourself or for a child you represent."""
        app = await service.create_draft(
            identity, data.role, data.learner_code, correlation_id(request), language_of(request)
        )
        return _view(request, app)

    @get("/")
    async def list_mine(
        self,
        request: Req,
        identity: Me,
        service: Service,
        page: Paging,
    ) -> Page[ApplicationSummary]:
        """Your applications, newest first."""
        apps, total = await service.applications_of(identity, page.limit, page.offset)
        lang = language_of(request)
        return page_of((summary_of(a, lang) for a in apps), total, page)

    @get("/{app_id:str}")
    async def get_one(
        self,
        request: Req,
        app_id: FromPath[str],
        identity: Me,
        service: Service,
        sent_messages: Sent,
    ) -> ApplicationDetail:
        """One application with its history, documents and the messages sent about it."""
        return await _detail(request, await service.own(identity, app_id), sent_messages)

    @put("/{app_id:str}/institution")
    async def institution(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[InstitutionStep],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Step 2: the institution the application is addressed to."""
        app = await service.choose_institution(
            identity, app_id, data.version, data.institution_id, correlation_id(request)
        )
        return _view(request, app)

    @put("/{app_id:str}/social-status")
    async def social_status(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[SocialStatusStep],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Step 3: whether the learner belongs to a socially supported group."""
        app = await service.set_social_status(
            identity,
            app_id,
            data.version,
            data.socially_supported,
            data.social_group,
            correlation_id(request),
        )
        return _view(request, app)

    @put("/{app_id:str}/resource")
    async def resource(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[ResourceStep],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Step 4: the resource, from those the chosen institution lends."""
        app = await service.choose_resource(
            identity, app_id, data.version, data.offer_id, correlation_id(request)
        )
        return _view(request, app)

    @put("/{app_id:str}/documents")
    async def documents(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[DocumentsStep],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Step 5: acknowledge the documents you will confirm when receiving the resource."""
        app = await service.acknowledge_documents(
            identity,
            app_id,
            data.version,
            [(d.code, d.version) for d in data.acknowledged],
            language_of(request),
            correlation_id(request),
        )
        return _view(request, app)

    @patch("/{app_id:str}/contact")
    async def contact(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[ContactStep],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Step 6, and later edits: how the institution can reach you."""
        app = await service.update_contact(
            identity,
            app_id,
            data.version,
            Contact(phone=data.phone, email=str(data.email)),
            correlation_id(request),
        )
        return _view(request, app)

    @post("/{app_id:str}/submit", status_code=202)
    async def submit(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[Versioned],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Step 7: submit; the registers re-check eligibility and the status moves on."""
        return _view(
            request, await service.submit(identity, app_id, data.version, correlation_id(request))
        )

    @post("/{app_id:str}/withdraw", status_code=200)
    async def withdraw(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[Withdrawal],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        return _view(
            request,
            await service.withdraw(
                identity, app_id, data.version, data.reason, correlation_id(request)
            ),
        )

    @post("/{app_id:str}/receipt-confirmation", status_code=200)
    async def confirm_receipt(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[Versioned],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Confirm on your own device that you received the resource; produces the handover act."""
        app = await service.confirm_receipt(
            identity,
            app_id,
            data.version,
            language_of(request),
            correlation_id(request),
        )
        return _view(request, app)

    @post("/{app_id:str}/incidents", status_code=201)
    async def report_incident(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[IncidentReport],
        identity: Me,
        service: Service,
    ) -> IncidentCreated:
        """Tell the institution that the issued resource was lost or stolen."""
        app, incident = await service.report_incident(
            identity,
            app_id,
            data.version,
            data.kind,
            data.description,
            data.occurred_on,
            correlation_id(request),
        )
        return IncidentCreated(incident=incident, application=_view(request, app))


STAFF_VISIBLE = [s.value for s in ApplicationStatus if s is not ApplicationStatus.DRAFT]


class StaffApplicationsController(Controller):
    path = "/api/v1/staff/applications"
    guards = [staff_only]
    tags = ["applications (staff)"]
    parameters = LANGUAGE_QUERY  # status labels in the answers

    @get("/")
    async def list_institution(
        self,
        request: Req,
        identity: Me,
        inbox: NamedDependency[InboxStore],
        page: Paging,
        status: StatusQuery = None,
        q: SearchQuery = None,
        incident: IncidentQuery = None,
    ) -> Page[ApplicationSummary]:
        """Your institution's applications; filter by status, search by learner name,
        ``incident=open`` for those with an open loss/theft report."""
        limit, offset = page.limit, page.offset
        if status is ApplicationStatus.DRAFT:
            raise ApiError(422, "drafts_not_visible", "Drafts are private to the applicant.")
        if q is not None and len(q) > QUERY_MAX:
            raise ApiError(422, "query_too_long", "Search for at most 100 characters.")
        if incident not in (None, OPEN_INCIDENT):
            raise ApiError(422, "bad_incident_filter", "incident can only be 'open'.")
        assert identity.institution_id
        # Filtered, sorted and paged by the database (adapters/inbox_store.py).
        where = InboxFilter(
            institution_id=identity.institution_id,
            status=status,
            open_incident=True if incident == OPEN_INCIDENT else None,
            name=q or None,
        )
        counts = await inbox.counts(where)
        total = counts.get(status.value, 0) if status else sum(counts.values())
        apps = await inbox.page(where, InboxSort.NEWEST, limit=limit, offset=offset)
        lang = language_of(request)
        return page_of((summary_of(a, lang) for a in apps), total, PageRequest(limit, offset))

    @get("/{app_id:str}")
    async def get_one(
        self,
        request: Req,
        app_id: FromPath[str],
        identity: Me,
        service: Service,
        sent_messages: Sent,
    ) -> ApplicationDetail:
        """One application of the institution, with the messages sent about it."""
        return await _detail(request, await service.institutions(identity, app_id), sent_messages)

    @post("/{app_id:str}/decision", status_code=200)
    async def decide(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[DecisionRequest],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Grant, refuse (reason required) or postpone (reason and until-date)."""
        app = await service.decide(
            identity,
            app_id,
            data.version,
            data.decision,
            data.reason,
            data.postponed_until,
            correlation_id(request),
        )
        return _view(request, app)

    @post(
        "/{app_id:str}/item-reservation",
        status_code=200,
        opt={
            "errors": {
                409: "stale_version; item_taken: someone reserved the item first; "
                "item_move_not_allowed: it is not available; item_does_not_match: "
                "another resource type or target group."
            }
        },
    )
    async def reserve_item(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[ItemReservation],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """Ready for issue with an item from the register (status "Gatavs
        izsniegšanai"): the item is reserved for this application."""
        return _view(
            request,
            await service.reserve_item(
                identity, app_id, data.version, data.item_id, correlation_id(request)
            ),
        )

    @post("/{app_id:str}/return", status_code=200)
    async def record_return(
        self,
        request: Req,
        app_id: FromPath[str],
        data: JSONBody[ReturnRequest],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        """The resource came back; produces the return act."""
        app = await service.record_return(
            identity,
            app_id,
            data.version,
            data.condition,
            data.note,
            data.returned_on,
            language_of(request),
            correlation_id(request),
        )
        return _view(request, app)

    @post("/{app_id:str}/incidents/{incident_id:uuid}/close", status_code=200)
    async def close_incident(
        self,
        request: Req,
        app_id: FromPath[str],
        incident_id: FromPath[UUID],
        data: JSONBody[IncidentClosing],
        identity: Me,
        service: Service,
    ) -> ApplicationView:
        app = await service.close_incident(
            identity, app_id, data.version, incident_id, data.note, correlation_id(request)
        )
        return _view(request, app)
