"""The wizard's state: which draft is being filled (session flow
``application``, with the profile chosen at step 1), the steps' addresses,
and where a draft goes on. The answers themselves are in the draft."""

from __future__ import annotations

from typing import Any

from edu_contracts.applications_api import ApplicationView
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation
from litestar.response import Redirect

from edu_portal.applications.forms import CHILD, EMPLOYEE
from edu_portal.applications.pages import BASE
from edu_portal.web.api import ApiProblem
from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn
from edu_portal.web.params import Api, Me

FLOW = "application"
NEW = f"{BASE}/jauns"
STEPS = {
    1: f"{NEW}/profils",
    2: f"{NEW}/iestade",
    3: f"{NEW}/statuss",
    4: f"{NEW}/resurss",
    5: f"{NEW}/dokumenti",
    6: f"{NEW}/kontakti",
    7: f"{NEW}/parbaude",
}
TERMS_PAGE = f"{BASE}/noteikumi"


def to_step(step: int) -> Redirect:
    return Redirect(STEPS[step], status_code=303)


async def draft(signed_in: SignedIn, clients: Clients) -> ApplicationView | Redirect:
    """The draft being filled, or where to go instead (step 1; or the
    application itself once it is no longer a draft)."""
    app_id = signed_in.session.flow(FLOW).get("app_id")
    if not app_id:
        return to_step(1)
    try:
        app = await clients.applications.one(app_id)
    except ApiProblem as problem:
        if problem.reason in ("application_not_found", "terms_not_accepted"):
            await signed_in.clear_flow(FLOW)
            return to_step(1)
        raise
    if app.status.value != "draft":
        return Redirect(f"{BASE}/{app.id}", status_code=303)
    return app


class Elsewhere(Exception):
    """A step's page was asked for with no draft to fill: go ``to`` instead."""

    def __init__(self, to: Redirect) -> None:
        super().__init__(to.url)
        self.to = to


async def provide_draft(signed_in: Me, clients: Api) -> ApplicationView:
    found = await draft(signed_in, clients)
    if isinstance(found, Redirect):
        raise Elsewhere(found)
    return found


def _elsewhere(_: Request[Any, Any, Any], exc: Elsewhere) -> Redirect:
    return exc.to


# A step's handler: its ``app: Draft`` is the draft being filled, or the
# person is sent where the application goes on (``draft``).
Draft = NamedDependency[SkipValidation[ApplicationView]]
ON_DRAFT: dict[str, Any] = {
    "dependencies": {"app": Provide(provide_draft)},
    "exception_handlers": {Elsewhere: _elsewhere},
}


def first_unanswered(app: ApplicationView) -> int:
    for step, missing in (
        (2, app.institution is None),
        (3, app.socially_supported is None),
        (4, app.resource is None),
        (5, app.acknowledged_documents is None),
        (6, app.contact is None),
    ):
        if missing:
            return step
    return 7


def chosen_profile(signed_in: SignedIn) -> str:
    return str(signed_in.session.flow(FLOW).get("profile", ""))


def learner_code(signed_in: SignedIn, app: ApplicationView) -> str | None:
    """Whose institutions to ask for: the child's, the caller's own, or (an
    employee) None for the institutions they work at."""
    chosen = chosen_profile(signed_in)
    if chosen.startswith(CHILD):
        return chosen[len(CHILD) :]
    return None if app.role.value == EMPLOYEE else signed_in.person_code
