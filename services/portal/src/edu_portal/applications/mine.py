"""After submission (seeds part B, 4): "My applications" with status tags,
one application with its details, history and documents, and the
confirmation page after submitting. The actions its status allows are in
``actions``, its files in ``files``."""

from __future__ import annotations

from uuid import UUID

from litestar import get
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from edu_portal.applications.pages import BASE, app_page, own
from edu_portal.applications.texts import (
    CONTACT_EDITABLE,
    WITHDRAWABLE,
    actor_role_names,
    decision_names,
    document_kind_names,
    incident_kind_names,
    rejection_reason_names,
    role_names,
    social_group_names,
)
from edu_portal.labels import resource_type_names
from edu_portal.web.params import Api, PageNumber, pager, window


@get(f"{BASE}/mani")
async def my_applications(clients: Api, page_number: PageNumber = 1) -> Template:
    found = await clients.applications.mine(**window(page_number))
    return app_page(
        "list.html",
        found=found,
        type_names=resource_type_names(),
        **pager(page_number, found.total),
    )


@get(f"{BASE}/{{app_id:uuid}}")
async def one_application(app_id: FromPath[UUID], clients: Api) -> Template:
    app = await own(clients, app_id)
    return app_page(
        "application.html",
        app=app,
        can_withdraw=app.status in WITHDRAWABLE,
        can_edit_contact=app.status in CONTACT_EDITABLE,
        can_confirm_receipt=app.status.value == "ready_for_issue",
        can_report=app.status.value == "issued",
        role_names=role_names(),
        groups=social_group_names(),
        type_names=resource_type_names(),
        kind_names=document_kind_names(),
        incident_names=incident_kind_names(),
        decision_names=decision_names(),
        actor_names=actor_role_names(),
        rejection_names=rejection_reason_names(),
    )


@get(f"{BASE}/{{app_id:uuid}}/iesniegts")
async def submitted(app_id: FromPath[UUID], clients: Api) -> Template:
    """The confirmation. Until the registers' verdict arrives (a second or
    two) the page says so and reloads itself (meta refresh, no script)."""
    app = await own(clients, app_id)
    return app_page("submitted.html", app=app, rejection_names=rejection_reason_names())


ROUTES: list[ControllerRouterHandler] = [my_applications, one_application, submitted]
