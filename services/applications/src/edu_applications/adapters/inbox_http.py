"""Staff lists over HTTP: the inbox (counts per status, filters, name search,
sorting, pages from the database, CSV/XLSX export), the bulk grant, and the
issued items (CSV export). Staff see their own institution only: it comes
from the token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated

from edu_contracts.applications import ApplicationStatus
from edu_contracts.documents import Language
from edu_contracts.staff_api import (
    CLASS_GROUP_MAX,
    OPEN_INCIDENT,
    QUERY_MAX,
    RESOURCE_TYPE_MAX,
    BulkGrant,
    BulkGrantResult,
    BulkOutcome,
    InboxPage,
    InboxQuery,
    InboxRow,
    InboxSort,
    IssuedItemState,
    ItemRow,
    ItemsPage,
)
from edu_runtime.auth import Identity, staff_only
from edu_runtime.errors import ApiError
from edu_runtime.http import correlation_id
from edu_runtime.language import LANGUAGE_QUERY, language_of
from edu_runtime.projection import project
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody, QueryParameter

from edu_applications.adapters.dependencies import Inbox, Me, Paging, Register, Req, Service
from edu_applications.adapters.exports import (
    INBOX_HEADERS,
    ITEMS_HEADERS,
    inbox_row,
    item_row,
    local_date,
    resource_type_label,
    to_csv,
    to_xlsx,
)
from edu_applications.adapters.inbox_fields import query_fields
from edu_applications.adapters.inbox_store import InboxFilter, InboxStore
from edu_applications.adapters.responses import CSV, XLSX, download
from edu_applications.adapters.views import (
    ClassGroupQuery,
    IncidentQuery,
    SearchQuery,
    StatusQuery,
)
from edu_applications.domain.errors import DomainError
from edu_applications.domain.items import GrantBudget, OutOfStock
from edu_applications.domain.model import Application
from edu_applications.domain.statuses import label
from edu_applications.staff import institution_of

# ``state`` is a name Litestar reserves for the app state: the Python name differs.
ItemStateQuery = Annotated[IssuedItemState | None, QueryParameter(name="state")]

EXPORT_LIMIT = 10_000
EXPORT_CHUNK = 500


def _inbox_row(app: Application, lang: Language) -> InboxRow:
    fields = query_fields(app)
    decision = app.decision
    return project(
        InboxRow,
        app,  # its id, reference, version, status and updated_at
        status_label=label(app.status, lang),
        submitted_at=fields["submitted_at"],
        learner_name=app.learner.full_name,
        class_group=fields["class_group"],
        resource_type=fields["resource_type"],
        resource_type_label=resource_type_label(fields["resource_type"], lang),
        resource_description=app.resource.description if app.resource else None,
        socially_supported=bool(app.socially_supported),
        open_incident=fields["open_incident"],
        postponed_until=decision.postponed_until if decision else None,
    )


def _item_row(app: Application, lang: Language) -> ItemRow:
    fields = query_fields(app)
    back = app.return_record
    return ItemRow(
        application_id=app.id,
        application_reference=app.reference,
        version=app.version,
        status=app.status,
        status_label=label(app.status, lang),
        learner_name=app.learner.full_name,
        class_group=fields["class_group"],
        resource_description=app.resource.description if app.resource else None,
        item=app.item,
        issued_at=fields["issued_at"],
        open_incident=fields["open_incident"],
        returned_on=back.returned_on if back else None,
        condition=back.condition if back else None,
    )


async def inbox_filters(
    status: StatusQuery = None,
    class_group: ClassGroupQuery = None,
    resource_type: FromQuery[str | None] = None,
    socially_supported: FromQuery[bool | None] = None,
    incident: IncidentQuery = None,
    q: SearchQuery = None,
    sort: FromQuery[InboxSort] = InboxSort.NEWEST,
) -> InboxQuery:
    """The inbox's filters, declared once for the list and its exports."""
    if status is ApplicationStatus.DRAFT:
        raise ApiError(422, "drafts_not_visible", "Drafts are private to the applicant.")
    if incident not in (None, OPEN_INCIDENT):
        raise ApiError(422, "bad_incident_filter", "incident can only be 'open'.")
    for name, value, most in (
        ("q", q, QUERY_MAX),
        ("class_group", class_group, CLASS_GROUP_MAX),
    ):
        if value is not None and len(value) > most:
            raise ApiError(
                422, "query_too_long", f"{name} can be at most {most} characters.", {"field": name}
            )
    if resource_type is not None and len(resource_type) > RESOURCE_TYPE_MAX:
        raise ApiError(
            422, "query_too_long", "resource_type is too long.", {"field": "resource_type"}
        )
    return InboxQuery(
        status=status,
        class_group=class_group or None,
        resource_type=resource_type or None,
        socially_supported=socially_supported,
        incident=incident,
        q=q or None,
        sort=sort,
    )


Filters = NamedDependency[InboxQuery]


def _filter(identity: Identity, filters: InboxQuery) -> InboxFilter:
    return InboxFilter(
        institution_id=institution_of(identity),
        status=filters.status,
        class_group=filters.class_group,
        resource_type=filters.resource_type,
        socially_supported=filters.socially_supported,
        open_incident=True if filters.incident == OPEN_INCIDENT else None,
        name=filters.q,
    )


async def _all(
    read: Callable[[int, int], Awaitable[list[Application]]],
) -> list[Application]:
    """Every matching application for an export (at most ``EXPORT_LIMIT``),
    ``read(limit, offset)`` a chunk at a time."""
    found: list[Application] = []
    while len(found) < EXPORT_LIMIT:
        chunk = await read(EXPORT_CHUNK, len(found))
        found += chunk
        if len(chunk) < EXPORT_CHUNK:
            break
    return found[:EXPORT_LIMIT]


async def _inbox_rows(
    identity: Identity, inbox: InboxStore, filters: InboxQuery
) -> list[tuple[str, ...]]:
    """The filtered inbox as an export's rows."""
    where = _filter(identity, filters)
    found = await _all(
        lambda limit, offset: inbox.page(where, filters.sort, limit=limit, offset=offset)
    )
    return [inbox_row(a) for a in found]


def _stamp() -> str:
    return local_date(dt.datetime.now(dt.UTC))


class StaffInboxController(Controller):
    path = "/api/v1/staff/inbox"
    guards = [staff_only]
    tags = ["inbox (staff)"]
    parameters = LANGUAGE_QUERY
    dependencies = {"filters": Provide(inbox_filters)}

    @get("/")
    async def inbox_page(
        self,
        request: Req,
        identity: Me,
        inbox: Inbox,
        page: Paging,
        filters: Filters,
    ) -> InboxPage:
        """Your institution's applications (never drafts) with a count per status;
        filters combine; ``q`` searches learner names ignoring case and diacritics."""
        where = _filter(identity, filters)
        counts = await inbox.counts(where)
        status = filters.status
        total = counts.get(status.value, 0) if status else sum(counts.values())
        apps = (
            await inbox.page(where, filters.sort, limit=page.limit, offset=page.offset)
            if page.offset < total
            else []
        )
        lang = language_of(request)
        return InboxPage(
            counts=counts,
            items=[_inbox_row(a, lang) for a in apps],
            total=total,
            limit=page.limit,
            offset=page.offset,
            sort=filters.sort,
        )

    @get("/export.csv", media_type=CSV)
    async def export_csv(self, identity: Me, inbox: Inbox, filters: Filters) -> Response[bytes]:
        """The filtered list (up to 10,000 rows) as CSV with Latvian headers."""
        rows = await _inbox_rows(identity, inbox, filters)
        return download(to_csv(INBOX_HEADERS, rows), CSV, f"iesniegumi-{_stamp()}.csv")

    @get("/export.xlsx", media_type=XLSX)
    async def export_xlsx(self, identity: Me, inbox: Inbox, filters: Filters) -> Response[bytes]:
        """The filtered list (up to 10,000 rows) as an Excel workbook."""
        rows = await _inbox_rows(identity, inbox, filters)
        content = to_xlsx("Iesniegumi", INBOX_HEADERS, rows)
        return download(content, XLSX, f"iesniegumi-{_stamp()}.xlsx")

    @post("/bulk-grant", status_code=200)
    async def bulk_grant(
        self,
        request: Req,
        data: JSONBody[BulkGrant],
        identity: Me,
        service: Service,
        register: Register,
    ) -> BulkGrantResult:
        """Grant several submitted (or postponed) applications at once, in the
        order given, no more of each resource type and target group than the
        item register has free (its stock line's ``free``: available items not
        yet promised to granted applications). Each is its own change: one that
        changed meanwhile or cannot be granted is reported with its reason and
        the others are granted. Reasons: ``stale_version``, ``illegal_transition``,
        ``application_not_found``, and ``out_of_stock``: beyond the free stock,
        left as it is (``out_of_stock`` counts them)."""
        cid = correlation_id(request)
        budget = GrantBudget(await register.stock(identity))
        outcomes: list[BulkOutcome] = []
        for target in data.applications:
            app_id = str(target.id)
            try:
                app = await service.grant_within(identity, app_id, target.version, budget, cid)
            except (ApiError, DomainError) as err:
                outcomes.append(BulkOutcome(id=target.id, granted=False, reason=err.reason))
                continue
            outcomes.append(
                BulkOutcome(id=target.id, granted=True, version=app.version, status=app.status)
            )
        granted = sum(1 for o in outcomes if o.granted)
        return BulkGrantResult(
            granted=granted,
            refused=len(outcomes) - granted,
            out_of_stock=sum(1 for o in outcomes if o.reason == OutOfStock.REASON),
            outcomes=outcomes,
        )


class StaffIssuedItemsController(Controller):
    path = "/api/v1/staff/issued-items"
    guards = [staff_only]
    tags = ["inbox (staff)"]
    parameters = LANGUAGE_QUERY

    @get("/")
    async def items(
        self,
        request: Req,
        identity: Me,
        inbox: Inbox,
        page: Paging,
        item_state: ItemStateQuery = None,
    ) -> ItemsPage:
        """Which item is with which learner since when; ``state`` = ready, issued,
        incident (open loss/theft report) or returned. Newest issue first."""
        institution_id = institution_of(identity)
        apps, total = await inbox.issued_items(
            institution_id, item_state, limit=page.limit, offset=page.offset
        )
        lang = language_of(request)
        return project(ItemsPage, page, items=[_item_row(a, lang) for a in apps], total=total)

    @get("/export.csv", media_type=CSV)
    async def export_csv(
        self, identity: Me, inbox: Inbox, item_state: ItemStateQuery = None
    ) -> Response[bytes]:
        institution_id = institution_of(identity)

        async def read(limit: int, offset: int) -> list[Application]:
            chunk, _ = await inbox.issued_items(
                institution_id, item_state, limit=limit, offset=offset
            )
            return chunk

        rows = [item_row(a) for a in await _all(read)]
        return download(to_csv(ITEMS_HEADERS, rows), CSV, f"izsniegtie-resursi-{_stamp()}.csv")
