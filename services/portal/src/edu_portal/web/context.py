"""What every page handler can ask for, and the per-request setup.

- ``before_request``: the page's language (``?lang=`` → cookie → Latvian) and
  the gateway's request id for the back-end calls;
- ``Portal`` (dependency ``portal``): settings, sessions, tokens, API client;
- ``SignedIn`` (dependency ``signed_in``): the session of a signed-in person,
  and its JWT for the API calls. Asking for it on a page without a session
  sends the person to sign in; with an ended session, to a page saying so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from opentelemetry import trace

from edu_portal.settings import PortalSettings
from edu_portal.web.api import Backends, correlation
from edu_portal.web.i18n import DEFAULT_LANG, LANG_COOKIE, Lang, parse_lang, set_lang
from edu_portal.web.limits import PersonLimits
from edu_portal.web.oidc import OidcClient
from edu_portal.web.session import SESSION_COOKIE, Session, SessionStore
from edu_portal.web.templates import page_path
from edu_portal.web.tokens import SessionTokens


@dataclass
class Portal:
    settings: PortalSettings
    sessions: SessionStore
    tokens: SessionTokens
    backends: Backends
    limits: PersonLimits
    oidc: OidcClient | None = None  # set when EDU_PORTAL_SIGN_IN=oidc

    def cookie(self, key: str, value: str, *, max_age: int | None = None) -> Cookie:
        return Cookie(
            key=key,
            value=value,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
            max_age=max_age,
        )


class NotSignedIn(Exception):
    """A page that needs a person was asked for without a session cookie."""


class SessionExpired(Exception):
    """The session cookie names a session that has ended."""


@dataclass
class SignedIn:
    session: Session
    cookie_value: str
    portal: Portal

    async def token(self) -> str:
        """The gateway JWT for this person's API calls (server side only)."""
        return await self.portal.tokens.token_for(self.session)

    @property
    def person_code(self) -> str:
        return self.session.person.personal_code

    async def within_limit(self, bucket: str) -> None:
        """429 once this person (over all their sessions) asked too often."""
        await self.portal.limits.check(bucket, self.person_code)

    async def save_flow(self, name: str, answers: dict[str, Any]) -> None:
        await self.portal.sessions.save_flow(self.session, name, answers)

    async def clear_flow(self, name: str) -> None:
        await self.portal.sessions.clear_flow(self.session, name)


def portal_of(request: Request[Any, Any, Any]) -> Portal:
    portal = request.app.state["portal"]
    assert isinstance(portal, Portal)
    return portal


async def provide_portal(request: Request[Any, Any, Any]) -> Portal:
    return portal_of(request)


async def current_session(request: Request[Any, Any, Any]) -> SignedIn | None:
    """The signed-in session, if any (for pages that work both ways). Read once
    per request: Litestar resolves a handler's dependencies concurrently (both
    ``signed_in`` and ``clients`` ask), so the one read in flight is shared."""
    state = request.scope.setdefault("state", {})
    loading = state.get("edu_session_read")
    if loading is None:
        loading = state["edu_session_read"] = asyncio.ensure_future(_load_session(request))
    signed_in: SignedIn | None = await loading
    if signed_in is not None:
        state["edu_signed_in"] = signed_in  # the layout shows who is signed in
    return signed_in


async def _load_session(request: Request[Any, Any, Any]) -> SignedIn | None:
    cookie_value = request.cookies.get(SESSION_COOKIE)
    if not cookie_value:
        return None
    portal = portal_of(request)
    session = await portal.sessions.load(cookie_value)
    if session is None:
        return None
    return SignedIn(session, cookie_value, portal)


async def provide_signed_in(request: Request[Any, Any, Any]) -> SignedIn:
    signed_in = await current_session(request)
    if signed_in is None:
        if request.cookies.get(SESSION_COOKIE):
            raise SessionExpired
        raise NotSignedIn
    return signed_in


async def before_request(request: Request[Any, Any, Any]) -> Response[Any] | None:
    # The gateway's request id (nginx: X-Request-Id) travels to the services.
    cid = request.headers.get("x-correlation-id") or request.headers.get("x-request-id")
    correlation.set(cid[:128] if cid else None)
    if cid:
        # The page's trace carries the gateway's request id; the services'
        # spans join that trace (traceparent on every API call).
        trace.get_current_span().set_attribute("edu.correlation_id", cid[:128])
    asked = parse_lang(request.query_params.get("lang"))
    if asked is not None and request.method == "GET":
        # ?lang= switches and remembers: answer with the same address without
        # it, so links and the back button keep working in the new language.
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        target = page_path(request) + (f"?{urlencode(rest)}" if rest else "")
        portal = portal_of(request)
        return Redirect(
            target,
            status_code=303,
            cookies=[portal.cookie(LANG_COOKIE, asked.value, max_age=365 * 24 * 3600)],
        )
    lang = parse_lang(request.cookies.get(LANG_COOKIE)) or DEFAULT_LANG
    set_lang(lang)
    request.state["lang"] = lang
    return None


def lang_of(request: Request[Any, Any, Any]) -> Lang:
    lang = request.state.get("lang") if hasattr(request, "state") else None
    return lang if isinstance(lang, Lang) else DEFAULT_LANG


def to_sign_in(portal: Portal, target: str, *, after_form: bool) -> Response[Any]:
    """Send the person to ``/auth/sign-in?next=target``. After a form (a POST)
    with OIDC sign-in that is a page that moves on by itself, not a redirect:
    the redirect chain would end at the provider's origin, which the CSP's
    form-action 'self' makes the browser block."""
    url = f"/auth/sign-in?next={quote(target, safe='')}"
    if after_form and portal.oidc is not None:
        return page("signin/continue.html", target=url)
    return Redirect(url, status_code=303)


def page(template: str, *, status_code: int = 200, **context: Any) -> Template:
    """Render ``template`` (under ``edu_portal/templates``) with ``context``."""
    return Template(template_name=template, context=context, status_code=status_code)
