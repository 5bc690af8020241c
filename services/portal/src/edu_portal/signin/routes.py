"""Home page, sign-in (the latvija.lv stand-in: method → person) and sign-out."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Annotated, Any

from edu_contracts.personal_code import PersonalCodeError, normalize_personal_code
from litestar import Request, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from edu_portal.people import PeopleDirectory
from edu_portal.settings import SignInMode
from edu_portal.web.context import Portal, current_session, page
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _
from edu_portal.web.oidc import BROWSER_COOKIE, LOGIN_TTL, OidcError
from edu_portal.web.params import Form
from edu_portal.web.session import SESSION_COOKIE, Person

log = logging.getLogger(__name__)


class Method(StrEnum):
    BANK = "bank"
    EPARAKSTS = "eparaksts"
    EID = "eid"


def method_names() -> dict[str, str]:
    return {
        Method.BANK: _("Internet bank"),
        Method.EPARAKSTS: _("eParaksts mobile"),
        Method.EID: _("eID card"),
    }


def kind_names() -> dict[str, str]:
    """What the featured people of the stand-in are, to pick one that fits."""
    return {
        "parent-with-minor": _("A parent of a minor child"),
        "adult-learner": _("An adult learner"),
        "no-data": _("A person the education registers know nothing about"),
        "staff": _("An employee of an education institution"),
        "custody": _("Has a person in custody"),
        "guardianship": _("A guardian"),
        "expired-guardianship": _("A former guardian"),
        "parent-of-adult": _("A parent of an adult child"),
    }


async def stand_in_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The stand-in's pages exist only when it is the sign-in: with OIDC a
    POST of any personal code must not open a session (issue #19)."""
    portal = connection.app.state["portal"]
    if portal.settings.sign_in is not SignInMode.STAND_IN:
        raise NotFoundException


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@get("/", name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    await current_session(request)
    return page("signin/home.html")


@get("/auth/sign-in", name="sign_in")
async def sign_in(
    portal: NamedDependency[Portal],
    next_: Annotated[str | None, QueryParameter(name="next")] = None,
) -> Template | Redirect:
    if portal.oidc is not None:
        # deploy/: the real identity provider asks how and who.
        login = await portal.oidc.start(safe_next(next_))
        return Redirect(
            login.url,
            status_code=303,
            cookies=[
                _binding_cookie(portal, login.browser_binding, int(LOGIN_TTL.total_seconds()))
            ],
        )
    return page(
        "signin/method.html", next=safe_next(next_), errors=FormErrors(), methods=method_names()
    )


@post("/auth/sign-in", guards=[stand_in_only])
async def choose_method(data: Form) -> Template | Redirect:
    method = form_value(data, "method")
    target = safe_next(form_value(data, "next"))
    if method not in {m.value for m in Method}:
        errors = FormErrors()
        errors.add("method", _("Choose how you want to sign in"))
        return page(
            "signin/method.html",
            status_code=400,
            next=target,
            errors=errors,
            methods=method_names(),
        )
    return Redirect(f"/auth/sign-in/person?method={method}&next={_quote(target)}", status_code=303)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@get("/auth/sign-in/person", guards=[stand_in_only])
async def choose_person(
    people: NamedDependency[PeopleDirectory],
    method: FromQuery[str] = "eparaksts",
    next_: Annotated[str | None, QueryParameter(name="next")] = None,
) -> Template:
    return _person_page(people, method, safe_next(next_), FormErrors(), "", "")


def _person_page(
    people: PeopleDirectory,
    method: str,
    target: str,
    errors: FormErrors,
    chosen: str,
    typed: str,
    status_code: int = 200,
) -> Template:
    return page(
        "signin/person.html",
        status_code=status_code,
        method=method if method in {m.value for m in Method} else Method.EPARAKSTS.value,
        method_name=method_names().get(method, ""),
        next=target,
        errors=errors,
        featured=people.featured(),
        kind_names=kind_names(),
        chosen=chosen,
        typed=typed,
    )


@post("/auth/sign-in/person", guards=[stand_in_only])
async def sign_in_person(
    data: Form, people: NamedDependency[PeopleDirectory], portal: NamedDependency[Portal]
) -> Template | Redirect:
    method = form_value(data, "method")
    target = safe_next(form_value(data, "next"))
    chosen = form_value(data, "person")
    typed = form_value(data, "personal_code")
    errors = FormErrors()
    code = ""
    if chosen and chosen != "other":
        code = chosen
    elif chosen == "other" or typed:
        try:
            code = normalize_personal_code(typed)
        except PersonalCodeError:
            errors.add(
                "personal_code",
                _("Enter a personal code in the format 123456-12345")
                if not typed
                else _("Enter a valid personal code, like 123456-12345"),
            )
    else:
        errors.add("person", _("Choose who you are, or type a personal code"))
    known = people.find(code) if code else None
    if code and known is None:
        field = "personal_code" if chosen in ("", "other") else "person"
        errors.add(field, _("There is no person with this personal code in the registers"))
    if errors or known is None or method not in {m.value for m in Method}:
        return _person_page(people, method, target, errors, chosen, typed, status_code=400)
    cookie_value, _session = await portal.sessions.open(
        Person(
            personal_code=known.personal_code,
            given_name=known.given_name,
            family_name=known.family_name,
            auth_method=method,
        )
    )
    return Redirect(target, status_code=303, cookies=[portal.cookie(SESSION_COOKIE, cookie_value)])


def _binding_cookie(portal: Portal, value: str, max_age: int) -> Cookie:
    cookie = portal.cookie(BROWSER_COOKIE, value, max_age=max_age)
    cookie.path = "/auth/"
    return cookie


@get("/auth/callback")
async def oidc_callback(
    request: Request[Any, Any, Any],
    portal: NamedDependency[Portal],
    code: FromQuery[str | None] = None,
    state_: Annotated[str | None, QueryParameter(name="state")] = None,
    error: FromQuery[str | None] = None,
) -> Template | Redirect:
    """Where the OpenID Connect provider sends the person back."""
    if portal.oidc is None:
        return page("errors/not_found.html", status_code=404)
    spent = _binding_cookie(portal, "", 0)
    if error or not code or not state_:
        return page("signin/failed.html", status_code=400)
    try:
        done = await portal.oidc.finish(code, state_, request.cookies.get(BROWSER_COOKIE))
    except OidcError as exc:
        log.warning("OpenID Connect sign-in refused: %s", exc)
        return page("signin/failed.html", status_code=400)
    cookie_value, _session = await portal.sessions.open(done.person, id_token=done.id_token)
    return Redirect(
        safe_next(done.next_path),
        status_code=303,
        cookies=[portal.cookie(SESSION_COOKIE, cookie_value), spent],
    )


@post("/auth/sign-out")
async def sign_out(
    request: Request[Any, Any, Any], portal: NamedDependency[Portal]
) -> Template | Redirect:
    cookie_value = request.cookies.get(SESSION_COOKIE)
    ended = await portal.sessions.close(cookie_value) if cookie_value else None
    # Signed in with the provider: sign out there too (RP-initiated logout),
    # or the next "sign in" on a shared computer would not ask who.
    provider = (
        portal.oidc.end_session_url(ended.id_token if ended else None) if portal.oidc else None
    )
    ended_cookie = portal.cookie(SESSION_COOKIE, "", max_age=0)
    if provider:
        response = page("signin/signed_out.html", provider_logout=provider)
        response.cookies.append(ended_cookie)
        return response
    return Redirect("/auth/signed-out", status_code=303, cookies=[ended_cookie])


@get("/auth/signed-out")
async def signed_out() -> Template:
    return page("signin/signed_out.html")


ROUTES: list[ControllerRouterHandler] = [
    home,
    sign_in,
    choose_method,
    choose_person,
    sign_in_person,
    sign_out,
    signed_out,
    oidc_callback,
]
