"""What every staff page shares: the staff session check (a dependency of the
/skola router: a page handler never sees anyone but staff), the labels of
roles, conditions and the like (those of statuses, resource types and target
groups, and the tag colours, are ``edu_portal.labels``)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from edu_portal.labels import resource_type_names, status_labels, target_group_names
from edu_portal.web.context import SignedIn, page, provide_signed_in
from edu_portal.web.i18n import _

BASE = "/skola"
SIGN_IN = f"{BASE}/ieiet"


def is_staff(signed_in: SignedIn) -> bool:
    return signed_in.session.role == "staff" and bool(signed_in.session.institution_id)


def to_staff_sign_in() -> Redirect:
    return Redirect(SIGN_IN, status_code=303)


class NotStaff(Exception):
    """Signed in, but not as a member of an institution's staff."""


async def provide_staff(request: Request[Any, Any, Any]) -> SignedIn:
    """``signed_in`` on the staff pages: the person, signed in as staff."""
    signed_in = await provide_signed_in(request)
    if not is_staff(signed_in):
        raise NotStaff
    return signed_in


def not_staff(_: Request[Any, Any, Any], __: NotStaff) -> Redirect:
    return to_staff_sign_in()


def staff_page(
    template: str, signed_in: SignedIn, *, status_code: int = 200, **context: Any
) -> Template:
    return page(
        f"skola/{template}",
        status_code=status_code,
        institution_name=signed_in.session.institution_name or signed_in.session.institution_id,
        status_labels=status_labels(),
        type_names=resource_type_names(),
        target_names=target_group_names(),
        **context,
    )


def use_names() -> dict[str, str]:
    return {
        "individual": _("Lent for individual use outside the institution"),
        "on_premises": _("Used only on the institution's premises"),
    }


def role_names() -> dict[str, str]:
    return {
        "parent_or_guardian": _("A parent or guardian for their child"),
        "adult_learner": _("An adult learner for themself"),
        "employee": _("An employee of the institution for themself"),
    }


def sort_names() -> dict[str, str]:
    return {
        "newest": _("Newest first"),
        "oldest": _("Oldest first"),
        "name": _("Learner's name"),
        "updated": _("Last changed"),
        "status": _("Status"),
    }


def item_state_names() -> dict[str, str]:
    return {
        "": _("All"),
        "ready": _("Ready for issue"),
        "issued": _("With the learner"),
        "incident": _("Loss or theft reported"),
        "returned": _("Returned"),
    }
