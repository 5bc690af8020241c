"""Bulk grant: the applications ticked in the inbox, shown for confirmation,
then granted each on its own; one that changed meanwhile is named with why."""

from __future__ import annotations

from litestar import post
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.staff.common import BASE, staff_page
from edu_portal.staff.forms import BulkGrantForm
from edu_portal.web.api import ApiProblem
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me


@post(f"{BASE}/pieskirt")
async def bulk_grant_review(data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    """Step 1: the chosen applications, to be confirmed."""
    form, _errors = BulkGrantForm.parse(data)
    if form is None:
        return staff_page("bulk_none.html", signed_in, status_code=400)
    apps = []
    for target in form.app:
        try:
            app = await clients.staff.application(target.id)
        except ApiProblem:
            continue
        if app is not None:
            apps.append((app, target.version))
    return staff_page("bulk_confirm.html", signed_in, apps=apps)


@post(f"{BASE}/pieskirt/apstiprinat")
async def bulk_grant(data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    """Step 2: granted; each one that changed meanwhile is named with why."""
    form, _errors = BulkGrantForm.parse(data)
    if form is None:
        return staff_page("bulk_none.html", signed_in, status_code=400)
    result = await clients.staff.bulk_grant(form.body())
    return staff_page("bulk_done.html", signed_in, result=result, reasons=_reasons())


def _reasons() -> dict[str, str]:
    return {
        "stale_version": _("It was changed by someone else meanwhile"),
        "illegal_transition": _("Its status no longer allows granting"),
        "application_not_found": _("No such application at your institution"),
        "out_of_stock": _("No free item of its type and target group is left in the register"),
    }


ROUTES: list[ControllerRouterHandler] = [bulk_grant_review, bulk_grant]
