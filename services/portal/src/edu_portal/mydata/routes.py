"""Pages of "Mani dati izglītības reģistros" (seeds part A):

start → terms (checkbox) → whose data (myself / a represented person / a
personal code) → the blocks → "Saglabāt kā PDF" (a page that waits for the
printout and offers it) → finish; and "Who has looked at my data".

Whose data is asked for is kept in the session (flow ``mydata``), never in
the address: personal codes stay out of URLs, logs and browser history.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from edu_contracts.documents_api import DocumentStatus
from edu_contracts.registry_api import RepresentedPersons
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from edu_portal.mydata.forms import OTHER, TermsForm, WhoseForm
from edu_portal.mydata.texts import (
    BLOCK_ORDER,
    basis_names,
    block_names,
    no_data_message,
    purpose_names,
)
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn, page
from edu_portal.web.downloads import pass_on
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me, PageNumber, pager, window

BASE = "/mani-dati"
FLOW = "mydata"
T = TypeVar("T")
MY_DATA_LIMIT = "my-data"  # reads and printouts: PortalSettings.my_data_reads_per_minute


@get(f"{BASE}/")
async def start() -> Template:
    return page("mydata/start.html")


@get(f"{BASE}/noteikumi")
async def terms(signed_in: Me) -> Template:
    return page("mydata/terms.html", errors=FormErrors())


@post(f"{BASE}/noteikumi")
async def accept_terms(data: Form, clients: Api) -> Template | Redirect:
    form, errors = TermsForm.parse(data)
    if form is None:
        return page("mydata/terms.html", status_code=400, errors=errors)
    await clients.registry.accept_my_data_terms()
    return Redirect(f"{BASE}/persona", status_code=303)


def _whose_page(
    represented: RepresentedPersons,
    errors: FormErrors,
    answers: Mapping[str, Any],
    status_code: int = 200,
) -> Template:
    """The choice of whose data, with the ``answers`` given (``chosen``,
    ``typed``: as posted, or as kept in the flow)."""
    return page(
        "mydata/whose.html",
        status_code=status_code,
        represented=represented.items,
        basis_names=basis_names(),
        errors=errors,
        chosen=form_value(answers, "chosen"),
        typed=form_value(answers, "typed"),
    )


@get(f"{BASE}/persona")
async def whose(signed_in: Me, clients: Api) -> Template:
    flow = signed_in.session.flow(FLOW)
    return _whose_page(await clients.registry.represented_persons(), FormErrors(), flow)


@post(f"{BASE}/persona")
async def choose_whose(data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    answers = {"chosen": form_value(data, "whose"), "typed": form_value(data, "personal_code")}
    represented = await clients.registry.represented_persons()
    form, errors = WhoseForm.parse(data, known={p.personal_code for p in represented.items})
    if form is None:
        return _whose_page(represented, errors, answers, status_code=400)
    await signed_in.save_flow(FLOW, {"subject": form.subject, **answers})
    return Redirect(f"{BASE}/dati", status_code=303)


def _subject(signed_in: SignedIn) -> str | None:
    subject = signed_in.session.flow(FLOW).get("subject")
    return str(subject) if subject else None


async def _refused(
    signed_in: SignedIn, clients: Clients, problem: ApiProblem
) -> Template | Redirect:
    """The refusals a person can cause, as pages."""
    if problem.reason in ("not_represented", "invalid_personal_code", "bad_personal_code"):
        flow = signed_in.session.flow(FLOW)
        errors = FormErrors()
        field = "personal_code" if flow.get("chosen") == OTHER else "whose"
        errors.add(field, _("The registers do not show that you represent this person"))
        represented = await clients.registry.represented_persons()
        return _whose_page(represented, errors, flow, status_code=403)
    raise problem


async def _asked(
    signed_in: SignedIn, clients: Clients, ask: Callable[[str | None], Awaitable[T]]
) -> T | Template | Redirect:
    """The registers' answer about the person chosen (within the person's
    limit), or the page to show instead: whose data, when not chosen yet; a
    refusal the person caused."""
    if FLOW not in signed_in.session.flows:
        return Redirect(f"{BASE}/persona", status_code=303)
    await signed_in.within_limit(MY_DATA_LIMIT)
    try:
        return await ask(_subject(signed_in))
    except ApiProblem as problem:
        return await _refused(signed_in, clients, problem)


@get(f"{BASE}/dati")
async def result(signed_in: Me, clients: Api) -> Template | Redirect:
    answer = await _asked(signed_in, clients, clients.registry.my_data)
    if isinstance(answer, Template | Redirect):
        return answer
    blocks = answer.blocks
    shown = [(key, getattr(blocks, key)) for key in BLOCK_ORDER if getattr(blocks, key)]
    return page(
        "mydata/result.html",
        answer=answer,
        shown=shown,
        block_names=block_names(),
        basis_names=basis_names(),
        no_data=no_data_message(),
    )


@post(f"{BASE}/pdf")
async def save_pdf(signed_in: Me, clients: Api) -> Template | Redirect:
    requested = await _asked(signed_in, clients, clients.registry.request_my_data_pdf)
    if isinstance(requested, Template | Redirect):
        return requested
    return Redirect(f"{BASE}/pdf/{requested.document_id}", status_code=303)


@get(f"{BASE}/pdf/{{document_id:uuid}}")
async def pdf_status(document_id: FromPath[uuid.UUID], clients: Api) -> Template:
    """Waits for the printout: the page reloads itself (meta refresh, no
    script) until the documents service has rendered it."""
    view = await clients.documents.document(document_id)
    if view is None:
        return page("mydata/pdf_waiting.html", document_id=document_id)
    if view.status is DocumentStatus.RENDERED:
        return page("mydata/pdf_ready.html", document=view)
    if view.status is DocumentStatus.FAILED:
        return page("mydata/pdf_failed.html", status_code=500)
    return page("mydata/pdf_waiting.html", document_id=document_id)


@get(f"{BASE}/pdf/{{document_id:uuid}}/fails")
async def pdf_file(
    document_id: FromPath[uuid.UUID],
    signed_in: Me,
    clients: Api,
) -> Stream:
    await signed_in.within_limit(MY_DATA_LIMIT)
    return await pass_on(clients.documents.pdf(document_id), filename=f"{document_id}.pdf")


@get(f"{BASE}/beigas")
async def finish(signed_in: Me) -> Template:
    await signed_in.clear_flow(FLOW)
    return page("mydata/finish.html")


@get(f"{BASE}/piekluves")
async def access_log(clients: Api, page_number: PageNumber = 1) -> Template:
    log = await clients.registry.access_log(**window(page_number))
    return page(
        "mydata/access_log.html",
        **pager(page_number, log.total),
        log=log,
        block_names=block_names(),
        basis_names=basis_names(),
        purpose_names=purpose_names(),
    )


ROUTES: list[ControllerRouterHandler] = [
    start,
    terms,
    accept_terms,
    whose,
    choose_whose,
    result,
    save_pdf,
    pdf_status,
    pdf_file,
    finish,
    access_log,
]
