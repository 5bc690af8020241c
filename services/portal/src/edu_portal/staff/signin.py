"""Staff sign-in through the same stand-in as citizens: the person signs in,
then the registers (registry-reader's ``/lookups/employees/me/institutions``,
asked with the person's citizen token) say where they work now. A person
employed at two institutions picks one; the staff session's JWT carries
``role=staff`` and that institution only because the registers said so."""

from __future__ import annotations

from edu_contracts.registry_api import LearnerInstitutions
from litestar import get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.staff.common import BASE, SIGN_IN, is_staff, staff_page
from edu_portal.staff.forms import InstitutionChoice
from edu_portal.web.clients import Clients
from edu_portal.web.context import Portal, page
from edu_portal.web.forms import FormErrors
from edu_portal.web.params import Api, Form, Me
from edu_portal.web.session import SESSION_COOKIE


async def _workplaces(clients: Clients) -> LearnerInstitutions | None:
    """Where the registers say the person works now (None: they do not know them)."""
    return await clients.registry.employee_institutions()


@get(SIGN_IN)
async def choose_institution(signed_in: Me, clients: Api) -> Template | Redirect:
    if is_staff(signed_in):
        return Redirect(f"{BASE}/", status_code=303)
    found = await _workplaces(clients)
    if found is None or not found.items:
        return page("skola/not_employed.html", status_code=403)
    return page("skola/choose_institution.html", found=found, errors=FormErrors())


@post(SIGN_IN)
async def sign_in_as_staff(
    data: Form, signed_in: Me, portal: NamedDependency[Portal], clients: Api
) -> Template | Redirect:
    if is_staff(signed_in):
        return Redirect(f"{BASE}/", status_code=303)
    found = await _workplaces(clients)
    if found is None or not found.items:
        return page("skola/not_employed.html", status_code=403)
    workplaces = {i.institution.institution_id: i.institution for i in found.items}
    form, errors = InstitutionChoice.parse(data, known=workplaces)
    if form is None:
        return page("skola/choose_institution.html", status_code=400, found=found, errors=errors)
    match = workplaces[form.institution]
    # A new session for the staff role; the citizen session ends.
    cookie_value, _session = await portal.sessions.open(
        signed_in.session.person,
        role="staff",
        institution_id=match.institution_id,
        institution_name=match.name,
        id_token=signed_in.session.id_token,
    )
    await portal.sessions.close(signed_in.cookie_value)
    return Redirect(
        f"{BASE}/", status_code=303, cookies=[portal.cookie(SESSION_COOKIE, cookie_value)]
    )


__all__ = ["staff_page"]

ROUTES: list[ControllerRouterHandler] = [choose_institution, sign_in_as_staff]
