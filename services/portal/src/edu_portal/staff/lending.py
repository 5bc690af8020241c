"""The school's lending settings: accepting applications (on/off, optional
period) and the resources it offers, with who changed what and when. Saved
through applications (their owner); the citizen wizard follows within
seconds."""

from __future__ import annotations

from typing import Annotated, Any

from edu_contracts.staff_api import LendingSettingsView
from litestar import get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from pydantic import ValidationError

from edu_portal.staff.common import BASE, staff_page, use_names
from edu_portal.staff.lending_form import LendingSettingsForm, lending_as_typed
from edu_portal.web.api import ApiProblem, invalid_fields
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.forms import FormErrors
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Form, Me

PAGE = f"{BASE}/iestatijumi"


async def _page(
    signed_in: SignedIn,
    clients: Clients,
    settings: LendingSettingsView | dict[str, Any],
    *,
    errors: FormErrors,
    status_code: int = 200,
    saved: bool = False,
    changed: bool = False,
) -> Template:
    """The settings page, with who changed what lately."""
    return staff_page(
        "lending.html",
        signed_in,
        status_code=status_code,
        settings=settings,
        history=await clients.staff.lending_history(limit=20),
        errors=errors,
        saved=saved,
        changed=changed,
        stock=await clients.items.stock(),
        use_names=use_names(),
        field_names=_field_names(),
    )


def _field_names() -> dict[str, str]:
    return {
        "accepting_applications": _("Accepting applications"),
        "accepting_from": _("Accepting from"),
        "accepting_to": _("Accepting until"),
        "resource_type": _("Resource type"),
        "description": _("Description or model"),
        "target_group": _("Target group"),
        "use": _("Use"),
        "for_groups": _("Programmes or classes"),
        "contact_email": _("Address for the daily digest of new applications"),
    }


@get(PAGE)
async def lending_settings(
    signed_in: Me,
    clients: Api,
    saved: Annotated[str | None, QueryParameter(name="saglabats")] = None,
) -> Template | Redirect:
    return await _page(
        signed_in,
        clients,
        await clients.staff.lending_settings(),
        errors=FormErrors(),
        saved=bool(saved),
    )


@post(PAGE)
async def save_lending_settings(data: Form, signed_in: Me, clients: Api) -> Template | Redirect:
    form, errors = LendingSettingsForm.parse(data)
    if form is not None:
        try:
            await clients.staff.change_lending_settings(form.body())
            return Redirect(f"{PAGE}?saglabats=1", status_code=303)
        except ValidationError:  # a resource's id the page never sent
            errors.add("accepting", _("Check the values"))
        except ApiProblem as problem:
            if problem.reason == "stale_version":
                return await _page(
                    signed_in,
                    clients,
                    await clients.staff.lending_settings(),
                    errors=FormErrors(),
                    status_code=409,
                    changed=True,
                )
            if problem.status != 422:
                raise
            if "contact_email" in invalid_fields(problem):
                errors.add("contact_email", _("Enter an e-mail address like pieteikumi@skola.lv"))
            else:
                errors.add("accepting", problem.detail or _("Check the values"))
    # Shown again as typed, with what is wrong.
    return await _page(signed_in, clients, lending_as_typed(data), errors=errors, status_code=400)


ROUTES: list[ControllerRouterHandler] = [lending_settings, save_lending_settings]
