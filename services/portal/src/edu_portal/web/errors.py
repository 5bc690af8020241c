"""Error pages: whatever goes wrong, the person gets a page in the page's
language that says what happened and what to do, never JSON or a trace.

- not signed in → to sign-in, coming back afterwards;
- a session that has ended → a page saying so, with a way back to sign-in;
- an e-service's terms not agreed to yet → that e-service's terms page;
- a form without its CSRF token → 403 page ("the form has expired");
- 404/405 → "page not found"; a back-end that does not answer → 503 page;
- anything else → 500 page (logged with its trace, shown without it).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from edu_portal.web.api import ApiProblem, Unavailable
from edu_portal.web.context import NotSignedIn, SessionExpired, page, portal_of, to_sign_in
from edu_portal.web.i18n import DEFAULT_LANG, LANG_COOKIE, parse_lang, set_lang
from edu_portal.web.session import SESSION_COOKIE

log = logging.getLogger(__name__)

# Each e-service's pages, and its terms of use (agreed to before it answers).
TERMS = {"/pieteikumi/": "/pieteikumi/noteikumi", "/mani-dati/": "/mani-dati/noteikumi"}


def _error_page(kind: str, status: int) -> Response[Any]:
    return page(f"errors/{kind}.html", status_code=status)


def handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    response = _handle_error(request, exc)
    # An unrouted request (404) passes no middleware: NoStoreMiddleware's
    # header is set here too, as an error page shows who is signed in.
    response.headers["Cache-Control"] = "no-store"
    return response


def _handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Errors raised before a handler (no route: 404) skip before_request.
    set_lang(parse_lang(request.cookies.get(LANG_COOKIE)) or DEFAULT_LANG)
    if isinstance(exc, NotSignedIn):
        target = request.url.path
        if request.url.query:
            target += f"?{request.url.query}"
        return to_sign_in(portal_of(request), target, after_form=request.method != "GET")
    if isinstance(exc, SessionExpired):
        response = _error_page("session_expired", 401)
        # The ended session's cookie goes; the next sign-in starts a new one.
        portal = portal_of(request)
        response.cookies.append(portal.cookie(SESSION_COOKIE, "", max_age=0))
        return response
    if isinstance(exc, Unavailable):
        log.warning("back end unavailable: %s", exc)
        return _error_page("unavailable", 503)
    if isinstance(exc, ApiProblem):
        terms = [t for base, t in TERMS.items() if request.url.path.startswith(base)]
        if exc.reason == "terms_not_accepted" and terms:
            return Redirect(terms[0], status_code=303)
        if exc.status == 401:
            return _error_page("session_expired", 401)
        if exc.status == 429:
            return _error_page("too_many", 429)
        log.warning("back-end refusal not handled by the page: %s", exc)
        return _error_page("problem", 400 if exc.status < 500 else 500)
    if isinstance(exc, PermissionDeniedException):
        # Litestar's CSRF check raises this for a POST without a valid token.
        return _error_page("forbidden", 403)
    if isinstance(exc, (NotFoundException, MethodNotAllowedException)):
        return _error_page("not_found", 404)
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        if exc.status_code == 429:
            return _error_page("too_many", 429)
        return _error_page("problem", exc.status_code)
    log.exception("page failed", exc_info=exc)
    return _error_page("problem", HTTP_500_INTERNAL_SERVER_ERROR)
