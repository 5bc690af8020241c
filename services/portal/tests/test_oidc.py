"""Sign-in through a real OpenID Connect provider (the deploy/ configuration):
the authorization-code flow with PKCE against a small provider served on a
real port, then a session like any other; a used or forged state is refused."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from edu_portal.app import create_app
from edu_portal.settings import PortalSettings, SignInMode
from edu_portal.web.session import SESSION_COOKIE
from edu_runtime.signing import GatewayKeys
from edu_tools.backends import free_port
from edu_tools.testing import serving
from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response

CLIENT_ID = "edu-portal"
PERSONAL_CODE = "010190-10001"


class FakeProvider:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.key: RSAPrivateKey = generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, str]] = {}
        self.audience: str | list[str] = CLIENT_ID
        self.extra_claims: dict[str, Any] = {}
        self.access_token = "x"
        # Instead of the tokens: (status, content type, body) of a broken provider.
        self.broken_answer: tuple[int, str, str] | None = None
        self.issued: list[str] = []

    def app(self) -> Litestar:
        provider = self

        @get("/authorize", sync_to_thread=False)
        def authorize(request: Request[Any, Any, Any]) -> Redirect:
            q = request.query_params
            code = secrets.token_urlsafe(8)
            provider.codes[code] = {
                "nonce": q["nonce"],
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
            }
            target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
            return Redirect(target, status_code=302)

        @post("/token", status_code=200)
        async def token(request: Request[Any, Any, Any]) -> Response[Any]:
            form = await request.form()
            if provider.broken_answer is not None:
                status, media_type, body = provider.broken_answer
                return Response(body, status_code=status, media_type=media_type)
            grant = provider.codes.pop(str(form["code"]))
            verifier = str(form["code_verifier"]).encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            assert challenge.decode() == grant["challenge"], "PKCE verifier does not match"
            assert form["client_secret"] == "s3cret"
            now = dt.datetime.now(dt.UTC)
            id_token = jwt.encode(
                {
                    "iss": provider.base_url,
                    "aud": provider.audience,
                    "sub": PERSONAL_CODE,
                    "iat": int(now.timestamp()),
                    "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
                    "nonce": grant["nonce"],
                    "given_name": "Anna",
                    "family_name": "Ozola",
                    "amr": ["smartid"],
                    **provider.extra_claims,
                },
                provider.key,
                algorithm="RS256",
                headers={"kid": "k1"},
            )
            provider.issued.append(id_token)
            return Response(
                {
                    "id_token": id_token,
                    "token_type": "Bearer",
                    "access_token": provider.access_token,
                }
            )

        @get("/jwks", sync_to_thread=False)
        def jwks() -> dict[str, Any]:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
            jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
            return {"keys": [jwk]}

        # The callback is a GET from the provider: post() needs no CSRF here.
        return Litestar([authorize, token, jwks])


@pytest.fixture
async def oidc_site(
    portal_settings: Callable[..., PortalSettings], tmp_path: Path
) -> AsyncIterator[tuple[str, FakeProvider]]:
    provider_port, portal_port = free_port(), free_port()
    provider = FakeProvider(f"http://127.0.0.1:{provider_port}")
    portal_url = f"http://127.0.0.1:{portal_port}"
    settings = portal_settings(
        "oidc",
        portal_port,
        SignInMode.OIDC,
        oidc_issuer=provider.base_url,
        oidc_authorization_endpoint=f"{provider.base_url}/authorize",
        oidc_token_endpoint=f"{provider.base_url}/token",
        oidc_jwks_uri=f"{provider.base_url}/jwks",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="s3cret",
        oidc_redirect_uri=f"{portal_url}/auth/callback",
        oidc_end_session_endpoint=f"{provider.base_url}/logout",
        oidc_post_logout_redirect_uri=f"{portal_url}/auth/signed-out",
        csrf_secret="test-csrf-secret-" + secrets.token_hex(16),
        pseudonym_key="test-pseudonym-key-" + secrets.token_hex(16),
    )
    GatewayKeys(tmp_path).ensure()  # as deploy/ mounts it
    async with (
        serving(provider.app(), provider_port),
        serving(create_app(settings), portal_port),
    ):
        yield portal_url, provider


async def test_authorization_code_flow_opens_a_session(
    oidc_site: tuple[str, FakeProvider],
) -> None:
    portal_url, _ = oidc_site
    async with httpx.AsyncClient() as client:
        start = await client.get(f"{portal_url}/auth/sign-in?next=/mani-dati/")
        assert start.status_code == 303
        authorize = urlparse(start.headers["location"])
        params = parse_qs(authorize.query)
        assert params["code_challenge_method"] == ["S256"]
        assert params["response_type"] == ["code"]
        back = await client.get(start.headers["location"])
        assert back.status_code == 302
        done = await client.get(back.headers["location"])
        assert done.status_code == 303
        assert done.headers["location"] == "/mani-dati/"
        assert done.cookies.get(SESSION_COOKIE)
        assert "httponly" in done.headers["set-cookie"].lower()
        # The session is a real one: the page shows who signed in.
        home = await client.get(f"{portal_url}/")
        assert "Anna Ozola" in home.text
        # The same state cannot be used twice.
        again = await client.get(back.headers["location"])
        assert again.status_code == 400
        assert "Autentifikācija neizdevās" in again.text


async def test_a_token_for_another_client_is_refused(
    oidc_site: tuple[str, FakeProvider],
) -> None:
    portal_url, provider = oidc_site
    provider.audience = "someone-else"
    async with httpx.AsyncClient() as client:
        start = await client.get(f"{portal_url}/auth/sign-in")
        back = await client.get(start.headers["location"])
        done = await client.get(back.headers["location"])
        assert done.status_code == 400
        assert SESSION_COOKIE not in done.cookies


async def _callback_url(client: httpx.AsyncClient, portal_url: str) -> str:
    """Start a sign-in in ``client``'s browser; the provider's redirect back."""
    start = await client.get(f"{portal_url}/auth/sign-in")
    assert start.status_code == 303
    back = await client.get(start.headers["location"])
    assert back.status_code == 302
    return str(back.headers["location"])


async def test_a_callback_from_another_browser_signs_nobody_in(
    oidc_site: tuple[str, FakeProvider],
) -> None:
    """Login CSRF: the attacker's own callback URL, opened in the victim's
    browser, must not sign the victim in as the attacker."""
    portal_url, _ = oidc_site
    async with httpx.AsyncClient() as attacker, httpx.AsyncClient() as victim:
        callback = await _callback_url(attacker, portal_url)
        assert attacker.cookies.get("edu_oidc")
        refused = await victim.get(callback)
        assert refused.status_code == 400
        assert SESSION_COOKIE not in refused.cookies
        assert "Autentifikācija neizdevās" in refused.text
        # A victim in the middle of their own sign-in: refused too.
        await _callback_url(victim, portal_url)
        refused = await victim.get(callback)
        assert refused.status_code == 400
        assert SESSION_COOKIE not in refused.cookies
        # The browser that started it still can.
        done = await attacker.get(callback)
        assert done.status_code == 303
        assert done.cookies.get(SESSION_COOKIE)


@pytest.mark.parametrize(
    "answer",
    [
        (200, "text/html", "<html><body>Maintenance</body></html>"),
        (200, "application/json", "[1, 2]"),
        (400, "application/json", '{"error": "invalid_grant"}'),
        (502, "text/html", "<html>Bad gateway</html>"),
    ],
)
async def test_a_broken_token_answer_is_a_sign_in_error_page(
    oidc_site: tuple[str, FakeProvider], answer: tuple[int, str, str]
) -> None:
    portal_url, provider = oidc_site
    provider.broken_answer = answer
    async with httpx.AsyncClient() as client:
        done = await client.get(await _callback_url(client, portal_url))
    assert done.status_code == 400
    assert done.headers["content-type"].startswith("text/html")
    assert "Autentifikācija neizdevās" in done.text
    assert SESSION_COOKIE not in done.cookies


@pytest.mark.parametrize(
    ("claims", "access_token"),
    [
        ({"azp": "someone-else"}, "x"),
        ({"at_hash": "not-the-hash"}, "x"),
    ],
)
async def test_id_token_for_another_party_or_access_token_is_refused(
    oidc_site: tuple[str, FakeProvider], claims: dict[str, Any], access_token: str
) -> None:
    portal_url, provider = oidc_site
    provider.extra_claims = claims
    provider.access_token = access_token
    async with httpx.AsyncClient() as client:
        done = await client.get(await _callback_url(client, portal_url))
    assert done.status_code == 400
    assert SESSION_COOKIE not in done.cookies


async def test_a_matching_at_hash_and_azp_are_accepted(
    oidc_site: tuple[str, FakeProvider],
) -> None:
    portal_url, provider = oidc_site
    digest = hashlib.sha256(b"the-access-token").digest()
    provider.access_token = "the-access-token"
    provider.extra_claims = {
        "azp": CLIENT_ID,
        "at_hash": base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode(),
    }
    async with httpx.AsyncClient() as client:
        done = await client.get(await _callback_url(client, portal_url))
    assert done.status_code == 303
    assert done.cookies.get(SESSION_COOKIE)


async def test_sign_out_signs_out_at_the_provider_too(
    oidc_site: tuple[str, FakeProvider],
) -> None:
    """RP-initiated logout: the provider's end_session_endpoint with the
    session's ID token as the hint, and the portal's signed-out page after."""
    portal_url, provider = oidc_site
    async with httpx.AsyncClient() as client:
        done = await client.get(await _callback_url(client, portal_url))
        assert done.status_code == 303
        home = await client.get(f"{portal_url}/")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', home.text)
        assert token, "the signed-in page has a sign-out form"
        out = await client.post(f"{portal_url}/auth/sign-out", data={"_csrf_token": token.group(1)})
        # A page, not a redirect: CSP form-action 'self' would stop a form's
        # redirect to the provider's origin.
        assert out.status_code == 200
        assert out.headers["cache-control"] == "no-store"
        link = re.search(r'<a class="button" href="([^"]+)"', out.text)
        assert link
        assert f'content="0; url={link.group(1)}"' in out.text
        target = urlparse(html.unescape(link.group(1)))
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.base_url}/logout"
        query = parse_qs(target.query)
        assert query["id_token_hint"] == [provider.issued[-1]]
        assert query["post_logout_redirect_uri"] == [f"{portal_url}/auth/signed-out"]
        assert query["client_id"] == [CLIENT_ID]
        # The portal's session has ended.
        assert "Anna Ozola" not in (await client.get(f"{portal_url}/")).text


async def test_the_stand_in_pages_do_not_exist_with_oidc(
    oidc_site: tuple[str, FakeProvider], tmp_path: Path
) -> None:
    """With OIDC a POST of a personal code to the stand-in's form must not
    open a session, even with a people directory on disk."""
    from edu_portal.people import KnownPerson, write_people

    write_people(
        tmp_path / "people.json",
        [KnownPerson(personal_code=PERSONAL_CODE, given_name="Anna", family_name="Ozola")],
    )
    portal_url, _ = oidc_site
    async with httpx.AsyncClient(base_url=portal_url) as client:
        assert (await client.get("/auth/sign-in/person")).status_code == 404
        await client.get("/")
        csrf = client.cookies["edu_csrf"]  # a valid CSRF token: only the route refuses
        forged = await client.post(
            "/auth/sign-in/person",
            data={"_csrf_token": csrf, "method": "bank", "person": PERSONAL_CODE},
        )
        assert forged.status_code == 404
        assert SESSION_COOKIE not in forged.cookies
        method = await client.post("/auth/sign-in", data={"_csrf_token": csrf, "method": "bank"})
        assert method.status_code == 404


async def test_a_form_that_leads_to_sign_in_answers_a_page_not_a_redirect(
    oidc_site: tuple[str, FakeProvider],
) -> None:
    """Agreeing to the terms before signing in: with OIDC the form's answer
    is a page that moves on to /auth/sign-in by itself. A redirect chain from a
    form to the provider's origin is blocked by the CSP's form-action 'self'
    (measured in Chromium: "Sending form data … violates … form-action")."""
    portal_url, _ = oidc_site
    async with httpx.AsyncClient(base_url=portal_url) as client:
        await client.get("/pieteikumi/noteikumi")
        csrf = client.cookies["edu_csrf"]
        agreed = await client.post(
            "/pieteikumi/noteikumi", data={"_csrf_token": csrf, "agree": "yes"}
        )
        assert agreed.status_code == 200
        target = "/auth/sign-in?next=%2Fpieteikumi%2Fnoteikumi%2Fapstiprinati"
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in agreed.text
        assert f'href="{target}"' in agreed.text
        assert agreed.cookies.get("edu_terms_b") == "yes"
        # Any form posted without a session: the same.
        lost = await client.post("/mani-dati/persona", data={"_csrf_token": csrf})
        assert lost.status_code == 200
        assert 'url=/auth/sign-in?next=%2Fmani-dati%2Fpersona"' in lost.text
        # A link (GET) still redirects straight to the provider.
        assert (await client.get("/mani-dati/dati")).status_code == 303
