"""Pages of "Mani dati izglītības reģistros" (seeds part A):

start → terms (checkbox) → whose data (myself / a represented person / a
personal code) → the blocks → "Saglabāt kā PDF" (a page that waits for the
printout and offers it) → finish; and "Who has looked at my data".

Whose data is asked for is kept in the session (flow ``mydata``), never in
the address: personal codes stay out of URLs, logs and browser history.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from edu_contracts.documents_api import DocumentStatus
from edu_contracts.registry_api import RepresentedPersons
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
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

BASE = "/mani-dati"
FLOW = "mydata"
MY_DATA_LIMIT = "my-data"  # reads and printouts: PortalSettings.my_data_reads_per_minute
Form = URLEncodedBody[dict[str, Any]]


@get(f"{BASE}/")
async def start() -> Template:
    return page("mydata/start.html")


@get(f"{BASE}/noteikumi")
async def terms(signed_in: NamedDependency[SignedIn]) -> Template:
    return page("mydata/terms.html", errors=FormErrors())


@post(f"{BASE}/noteikumi")
async def accept_terms(data: Form, clients: NamedDependency[Clients]) -> Template | Redirect:
    form, errors = TermsForm.parse(data)
    if form is None:
        return page("mydata/terms.html", status_code=400, errors=errors)
    await clients.registry.accept_my_data_terms()
    return Redirect(f"{BASE}/persona", status_code=303)


def _whose_page(
    represented: RepresentedPersons,
    errors: FormErrors,
    chosen: str,
    typed: str,
    status_code: int = 200,
) -> Template:
    return page(
        "mydata/whose.html",
        status_code=status_code,
        represented=represented.items,
        basis_names=basis_names(),
        errors=errors,
        chosen=chosen,
        typed=typed,
    )


@get(f"{BASE}/persona")
async def whose(
    signed_in: NamedDependency[SignedIn], clients: NamedDependency[Clients]
) -> Template:
    flow = signed_in.session.flow(FLOW)
    return _whose_page(
        await clients.registry.represented_persons(),
        FormErrors(),
        str(flow.get("chosen", "")),
        str(flow.get("typed", "")),
    )


@post(f"{BASE}/persona")
async def choose_whose(
    data: Form, signed_in: NamedDependency[SignedIn], clients: NamedDependency[Clients]
) -> Template | Redirect:
    chosen, typed = form_value(data, "whose"), form_value(data, "personal_code")
    represented = await clients.registry.represented_persons()
    form, errors = WhoseForm.parse(data, known={p.personal_code for p in represented.items})
    if form is None:
        return _whose_page(represented, errors, chosen, typed, status_code=400)
    await signed_in.save_flow(FLOW, {"subject": form.subject, "chosen": chosen, "typed": typed})
    return Redirect(f"{BASE}/dati", status_code=303)


def _subject(signed_in: SignedIn) -> str | None:
    subject = signed_in.session.flow(FLOW).get("subject")
    return str(subject) if subject else None


async def _refused(
    signed_in: SignedIn, clients: Clients, problem: ApiProblem
) -> Template | Redirect:
    """The refusals a person can cause, as pages."""
    if problem.reason == "terms_not_accepted":
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    if problem.reason in ("not_represented", "invalid_personal_code", "bad_personal_code"):
        flow = signed_in.session.flow(FLOW)
        errors = FormErrors()
        field = "personal_code" if flow.get("chosen") == OTHER else "whose"
        errors.add(
            field,
            _("The registers do not show that you represent this person"),
        )
        return _whose_page(
            await clients.registry.represented_persons(),
            errors,
            str(flow.get("chosen", "")),
            str(flow.get("typed", "")),
            status_code=403,
        )
    raise problem


@get(f"{BASE}/dati")
async def result(
    signed_in: NamedDependency[SignedIn], clients: NamedDependency[Clients]
) -> Template | Redirect:
    if FLOW not in signed_in.session.flows:
        return Redirect(f"{BASE}/persona", status_code=303)
    await signed_in.within_limit(MY_DATA_LIMIT)
    try:
        answer = await clients.registry.my_data(_subject(signed_in))
    except ApiProblem as problem:
        return await _refused(signed_in, clients, problem)
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
async def save_pdf(
    signed_in: NamedDependency[SignedIn], clients: NamedDependency[Clients]
) -> Template | Redirect:
    if FLOW not in signed_in.session.flows:
        return Redirect(f"{BASE}/persona", status_code=303)
    await signed_in.within_limit(MY_DATA_LIMIT)
    try:
        requested = await clients.registry.request_my_data_pdf(_subject(signed_in))
    except ApiProblem as problem:
        return await _refused(signed_in, clients, problem)
    return Redirect(f"{BASE}/pdf/{requested.document_id}", status_code=303)


@get(f"{BASE}/pdf/{{document_id:uuid}}")
async def pdf_status(
    document_id: FromPath[uuid.UUID], clients: NamedDependency[Clients]
) -> Template:
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
    signed_in: NamedDependency[SignedIn],
    clients: NamedDependency[Clients],
) -> Stream:
    await signed_in.within_limit(MY_DATA_LIMIT)
    return await pass_on(clients.documents.pdf(document_id), filename=f"{document_id}.pdf")


@get(f"{BASE}/beigas")
async def finish(signed_in: NamedDependency[SignedIn]) -> Template:
    await signed_in.clear_flow(FLOW)
    return page("mydata/finish.html")


PAGE_SIZE = 20


@get(f"{BASE}/piekluves")
async def access_log(
    clients: NamedDependency[Clients],
    page_number: Annotated[int, QueryParameter(name="lapa", ge=1, le=10_000)] = 1,
) -> Template | Redirect:
    try:
        log = await clients.registry.access_log(
            limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
        )
    except ApiProblem as problem:
        if problem.reason == "terms_not_accepted":
            return Redirect(f"{BASE}/noteikumi", status_code=303)
        raise
    return page(
        "mydata/access_log.html",
        log=log,
        page_number=page_number,
        has_next=log.offset + len(log.items) < log.total,
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
