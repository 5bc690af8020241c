"""Sign-in and sign-out with OpenID Connect in Chromium, through the gateway
(its CSP included: form-action 'self'), against a small provider on its own
origin (issue #19). The provider signs in whoever comes, at once."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from edu_portal.app import create_app
from edu_portal.settings import PortalSettings, SignInMode
from edu_runtime.signing import GatewayKeys
from edu_tools.backends import Backends, ChildProcess, free_port
from edu_tools.gateway_nginx import start_local
from edu_tools.testing import serving
from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response
from playwright.async_api import Browser, Page, expect

CLIENT_ID = "edu-portal"


def provider_app(base_url: str, log: list[str]) -> Litestar:
    key = generate_private_key(public_exponent=65537, key_size=2048)
    nonces: dict[str, str] = {}

    @get("/authorize", sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Redirect:
        q = request.query_params
        code = secrets.token_urlsafe(8)
        nonces[code] = q["nonce"]
        log.append("authorize")
        return Redirect(
            f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}",
            status_code=302,
        )

    @post("/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> dict[str, str]:
        form = await request.form()
        now = dt.datetime.now(dt.UTC)
        claims = {
            "iss": base_url,
            "aud": CLIENT_ID,
            "sub": "010190-10001",
            "iat": int(now.timestamp()),
            "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
            "nonce": nonces.pop(str(form["code"])),
            "given_name": "Anna",
            "family_name": "Ozola",
        }
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        return {"id_token": id_token, "token_type": "Bearer", "access_token": "x"}

    @get("/jwks", sync_to_thread=False)
    def jwks() -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    @get("/logout", sync_to_thread=False)
    def logout(request: Request[Any, Any, Any]) -> Response[str] | Redirect:
        if not request.query_params.get("id_token_hint"):
            return Response("no id_token_hint", status_code=400, media_type="text/plain")
        log.append("logout")
        return Redirect(request.query_params["post_logout_redirect_uri"], status_code=302)

    return Litestar([authorize, token, jwks, logout])


@pytest.fixture
async def oidc_gateway(
    edu_backends: Backends, tmp_path: Path
) -> AsyncIterator[tuple[str, list[str]]]:
    provider_port, portal_port, listen = free_port(), free_port(), free_port()
    # Another origin than the gateway's (localhost, not 127.0.0.1).
    provider_url = f"http://localhost:{provider_port}"
    site = f"http://127.0.0.1:{listen}"
    GatewayKeys(tmp_path).ensure()
    settings = PortalSettings(
        http_port=portal_port,
        mongo_db=f"edu_portal_oidc_{uuid.uuid4().hex[:8]}",
        mongo_url=edu_backends.mongo_url,
        data_dir=tmp_path,
        sign_in=SignInMode.OIDC,
        oidc_issuer=provider_url,
        oidc_authorization_endpoint=f"{provider_url}/authorize",
        oidc_token_endpoint=f"{provider_url}/token",
        oidc_jwks_uri=f"{provider_url}/jwks",
        oidc_client_id=CLIENT_ID,
        oidc_redirect_uri=f"{site}/auth/callback",
        oidc_end_session_endpoint=f"{provider_url}/logout",
        oidc_post_logout_redirect_uri=f"{site}/auth/signed-out",
        csrf_secret="browser-csrf-" + secrets.token_hex(16),
        pseudonym_key="browser-pseudonym-" + secrets.token_hex(16),
    )
    log: list[str] = []
    async with (
        serving(provider_app(provider_url, log), provider_port),
        serving(create_app(settings), portal_port),
    ):
        # The APIs are not needed here: their routes point at free ports.
        gateway: ChildProcess = start_local(
            tmp_path / "gateway", {"portal": portal_port}, listen_port=listen
        )
        try:
            yield site, log
        finally:
            gateway.stop()


@pytest.fixture
async def oidc_page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="lv-LV")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


async def test_terms_then_oidc_sign_in_and_sign_out_in_chromium(
    oidc_gateway: tuple[str, list[str]], oidc_page: Page
) -> None:
    site, log = oidc_gateway
    page = oidc_page
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    await page.goto(f"{site}/pieteikumi/noteikumi")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await page.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu").click()
    # Through the provider and back: the terms agreed before signing in.
    await page.wait_for_url(f"{site}/pieteikumi/noteikumi/apstiprinati")
    await expect(page.get_by_text("Jūs piekritāt e-pakalpojuma lietošanas")).to_be_visible()
    await expect(page.get_by_text("Anna Ozola")).to_be_visible()
    assert log == ["authorize"]
    # Sign-out ends the session here and at the provider, then comes back.
    await page.get_by_role("button", name="Iziet").click()
    await page.wait_for_url(f"{site}/auth/signed-out")
    await expect(page.get_by_role("heading", name="Jūs esat izgājis")).to_be_visible()
    assert log == ["authorize", "logout"]
    assert blocked == []
