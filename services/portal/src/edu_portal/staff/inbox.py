"""The inbox: counts per status, filters, search, sorting and pages, and the
filtered list exported as CSV or XLSX. The filters are the page's query
string (Latvian names); the staff API gets them as ``InboxQuery``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

from edu_contracts.applications import ApplicationStatus
from edu_contracts.staff_api import InboxQuery, InboxSort
from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from edu_portal.labels import TAG_CLASSES
from edu_portal.staff.common import BASE, sort_names, staff_page
from edu_portal.web.downloads import pass_on
from edu_portal.web.params import Api, Me, PageNumber, pager, window

PAGE_SIZE = 25
GRANTABLE = frozenset({"submitted", "postponed"})
EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class InboxFilters:
    """The inbox's filters as the page shows them and links to them (its
    query string's Latvian names); ``query()`` is what the staff API takes."""

    status: str = ""
    class_group: str = ""
    resource_type: str = ""
    socially_supported: str = ""  # "", "true", "false"
    incident: str = ""  # "", "open"
    q: str = ""
    sort: str = "newest"

    def query(self) -> InboxQuery:
        return InboxQuery(
            status=ApplicationStatus(self.status) if self.status else None,
            class_group=self.class_group or None,
            resource_type=self.resource_type or None,
            socially_supported={"true": True, "false": False}.get(self.socially_supported),
            incident=self.incident or None,
            q=self.q or None,
            sort=InboxSort(self.sort),
        )

    def page_params(self, **override: str | int) -> str:
        params: dict[str, str | int] = {
            "statuss": self.status,
            "klase": self.class_group,
            "veids": self.resource_type,
            "atbalsts": self.socially_supported,
            "incidents": self.incident,
            "q": self.q,
            "kartot": self.sort if self.sort != "newest" else "",
        }
        params.update(override)
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def clean(value: str | None, allowed: set[str] | None = None, most: int = 100) -> str:
    """A query value as the page takes it: trimmed, cut to ``most``
    characters, '' when not one of ``allowed``."""
    text = (value or "").strip()[:most]
    if allowed is not None and text not in allowed:
        return ""
    return text


async def inbox_filters(
    status: Annotated[str | None, QueryParameter(name="statuss")] = None,
    class_group: Annotated[str | None, QueryParameter(name="klase")] = None,
    resource_type: Annotated[str | None, QueryParameter(name="veids")] = None,
    supported: Annotated[str | None, QueryParameter(name="atbalsts")] = None,
    incident: Annotated[str | None, QueryParameter(name="incidents")] = None,
    q: Annotated[str | None, QueryParameter(name="q")] = None,
    sort: Annotated[str | None, QueryParameter(name="kartot")] = None,
) -> InboxFilters:
    """The inbox's filters from the page's query, for the list and its
    exports alike; a value the inbox does not know is dropped."""
    return InboxFilters(
        status=clean(status, set(map(str, TAG_CLASSES)) - {"draft"}),
        class_group=clean(class_group, most=40),
        resource_type=clean(resource_type, {"laptop", "tablet", "other"}),
        socially_supported=clean(supported, {"true", "false"}),
        incident=clean(incident, {"open"}),
        q=clean(q),
        sort=clean(sort, set(sort_names())) or "newest",
    )


FILTERS = {"filters": Provide(inbox_filters)}


@get(f"{BASE}/", dependencies=FILTERS)
async def inbox(
    signed_in: Me,
    clients: Api,
    filters: NamedDependency[InboxFilters],
    page_number: PageNumber = 1,
) -> Template | Redirect:
    found, stock = await asyncio.gather(
        clients.staff.inbox(filters.query(), **window(page_number, PAGE_SIZE)),
        clients.items.stock(),
    )
    return staff_page(
        "inbox.html",
        signed_in,
        found=found,
        stock=stock,
        query=filters,
        **pager(page_number, found.total, PAGE_SIZE),
        everything=sum(found.counts.values()),
        sort_names=sort_names(),
        tag_classes=TAG_CLASSES,
        grantable=GRANTABLE,
    )


@get(f"{BASE}/eksports/{{kind:str}}", dependencies=FILTERS)
async def export(
    kind: FromPath[str], signed_in: Me, clients: Api, filters: NamedDependency[InboxFilters]
) -> Stream | Redirect:
    """The filtered inbox as a file, streamed from applications (``signed_in``:
    staff only, as every page here)."""
    if kind not in EXPORTS:
        raise NotFoundException
    chosen: Literal["csv", "xlsx"] = "xlsx" if kind == "xlsx" else "csv"
    return await pass_on(
        clients.staff.inbox_export(filters.query(), chosen),
        filename=f"iesniegumi.{chosen}",
        media_type=EXPORTS[chosen],
    )


ROUTES: list[ControllerRouterHandler] = [inbox, export]
