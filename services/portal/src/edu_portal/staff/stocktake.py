"""Stocktakes (inventarizācija, #22): start one, mark items seen by scanning
their numbers or ticking them, finish; the report of the items not seen as a
page and as a PDF."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from edu_contracts.documents_api import StocktakeReport, StocktakeReportItem
from edu_contracts.items import StocktakeView
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from edu_portal.staff.common import BASE, staff_page
from edu_portal.staff.register import register_words
from edu_portal.staff.register_forms import NumberForm, TickedForm
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.downloads import pass_on
from edu_portal.web.forms import FormErrors, form_value, read_version
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me, PageNumber, pager, window

STOCKTAKES = f"{BASE}/inventarizacija"
PAGE_SIZE = 20


async def _stocktake(clients: Clients, stocktake_id: UUID) -> StocktakeView:
    found = await clients.items.stocktake(stocktake_id)
    if found is None:
        raise NotFoundException
    return found


@get(STOCKTAKES)
async def stocktakes(
    signed_in: Me, clients: Api, page_number: PageNumber = 1
) -> Template | Redirect:
    found = await clients.items.stocktakes(**window(page_number, PAGE_SIZE))
    return staff_page(
        "stocktakes.html",
        signed_in,
        found=found,
        open_one=next((s for s in found.items if s.state == "open"), None),
        **pager(page_number, found.total, PAGE_SIZE),
    )


@post(STOCKTAKES)
async def start_stocktake(signed_in: Me, clients: Api) -> Redirect:
    """A new stocktake, or the open one (only one is open at a time)."""
    try:
        started = await clients.items.start_stocktake()
    except ApiProblem as problem:
        if problem.reason != "stocktake_open" or "stocktake_id" not in problem.extra:
            raise
        return Redirect(f"{STOCKTAKES}/{problem.extra['stocktake_id']}", status_code=303)
    return Redirect(f"{STOCKTAKES}/{started.stocktake_id}", status_code=303)


def _page(
    signed_in: SignedIn,
    stocktake: StocktakeView,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
    number: str = "",
    last_seen: str = "",
) -> Template:
    return staff_page(
        "stocktake.html",
        signed_in,
        status_code=status_code,
        take=stocktake,
        errors=errors or FormErrors(),
        number=number,
        last_seen=last_seen,
        **register_words(),
    )


@get(f"{STOCKTAKES}/{{stocktake_id:uuid}}")
async def stocktake(
    stocktake_id: FromPath[UUID],
    signed_in: Me,
    clients: Api,
    seen: Annotated[str | None, QueryParameter(name="redzets", max_length=80)] = None,
) -> Template | Redirect:
    return _page(signed_in, await _stocktake(clients, stocktake_id), last_seen=seen or "")


def _not_expected() -> str:
    return _(
        "%(number)s is not among the items this stocktake expects: "
        "it is not registered, is with a learner, or is written off"
    )


@post(f"{STOCKTAKES}/{{stocktake_id:uuid}}/redzets")
async def mark_seen(
    stocktake_id: FromPath[UUID], data: Form, signed_in: Me, clients: Api
) -> Template | Redirect:
    """One number scanned or typed, or the items ticked in the list."""
    scanned, errors = NumberForm.parse(data)
    ticked, _ticked_errors = TickedForm.parse(data)
    numbers = [scanned.number] if scanned else list(ticked.seen) if ticked else []
    if not numbers:
        take = await _stocktake(clients, stocktake_id)
        return _page(signed_in, take, errors=errors, status_code=400)
    for number in numbers:
        try:
            await clients.items.mark_seen(stocktake_id, number)
        except ApiProblem as problem:
            if problem.status not in (404, 409):
                raise
            take = await _stocktake(clients, stocktake_id)
            errors = FormErrors()
            if take.state == "finished":
                return _page(signed_in, take, status_code=409)
            errors.add("number", _not_expected() % {"number": number})
            return _page(signed_in, take, errors=errors, status_code=400, number=number)
    return Redirect(
        f"{STOCKTAKES}/{stocktake_id}?redzets={numbers[-1][:80]}"
        if scanned
        else f"{STOCKTAKES}/{stocktake_id}",
        status_code=303,
    )


@post(f"{STOCKTAKES}/{{stocktake_id:uuid}}/pabeigt")
async def finish(
    stocktake_id: FromPath[UUID], data: Form, signed_in: Me, clients: Api
) -> Template | Redirect:
    """Finished over the version the page showed: the items not seen are the report."""
    try:
        await clients.items.finish_stocktake(
            stocktake_id, read_version(form_value(data, "version"))
        )
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        take = await _stocktake(clients, stocktake_id)
        errors = FormErrors()
        errors.add("finish", _("Items were marked seen meanwhile: check the list and finish again"))
        return _page(signed_in, take, errors=errors, status_code=409)
    return Redirect(f"{STOCKTAKES}/{stocktake_id}", status_code=303)


@get(f"{STOCKTAKES}/{{stocktake_id:uuid}}/atskaite.pdf")
async def report_pdf(
    stocktake_id: FromPath[UUID], signed_in: Me, clients: Api
) -> Stream | Redirect:
    take = await _stocktake(clients, stocktake_id)
    report = StocktakeReport(
        institution_name=signed_in.session.institution_name or "—",
        started_at=take.started_at,
        started_by=take.started_by,
        finished_at=take.finished_at,
        finished_by=take.finished_by,
        items=tuple(
            StocktakeReportItem(
                inventory_number=i.inventory_number,
                serial_number=i.serial_number,
                model=i.model,
                seen_at=i.seen_at,
                seen_by=i.seen_by,
            )
            for i in take.items
        ),
    )
    return await pass_on(
        clients.documents.stocktake_report(report),
        filename=f"inventarizacija-{take.started_at.date().isoformat()}.pdf",
        disposition="attachment",
    )


ROUTES: list[ControllerRouterHandler] = [
    stocktakes,
    start_stocktake,
    stocktake,
    mark_seen,
    finish,
    report_pdf,
]
