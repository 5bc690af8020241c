"""deploy/local-prod/oidc_provider.py, the test OpenID Connect provider the
local-prod overlay signs people in with: the standard code flow a relying party
expects (discovery, authorize, token with PKCE, RS256 ID token verifiable from
the JWKS with at_hash and nonce, end_session), and the refusals."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from edu_tools.backends import free_port

SOURCE = Path(__file__).resolve().parents[2] / "deploy" / "local-prod" / "oidc_provider.py"
REDIRECT = "http://127.0.0.1:18080/auth/callback"
SIGNED_OUT = "http://127.0.0.1:18080/auth/signed-out"


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("oidc_provider", SOURCE)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    module = _module()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = module.Settings.from_env(
        {
            "OIDC_ISSUER": url,
            "OIDC_CLIENT_SECRET": "s3cret",
            "OIDC_REDIRECT_URIS": REDIRECT,
            "OIDC_POST_LOGOUT_REDIRECT_URIS": SIGNED_OUT,
            "OIDC_PORT": str(port),
        }
    )
    server = module.serve(settings, "127.0.0.1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _authorize(http: httpx.Client, config: dict[str, Any], verifier: str) -> str:
    query = {
        "response_type": "code",
        "client_id": "edu-portal",
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    form = http.get(config["authorization_endpoint"], params=query)
    assert form.status_code == 200
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.text))
    assert hidden["state"] == "st-1"
    sent = http.post(
        config["authorization_endpoint"],
        data={
            **hidden,
            "personal_code": "32345678901",
            "given_name": "Līga",
            "family_name": "Ozola",
        },
    )
    assert sent.status_code == 302
    back = urlsplit(sent.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    params = parse_qs(back.query)
    assert params["state"] == ["st-1"]
    return params["code"][0]


def test_code_flow_gives_an_id_token_verifiable_from_the_jwks(issuer: str) -> None:
    with httpx.Client() as http:
        config = http.get(f"{issuer}/.well-known/openid-configuration").json()
        assert config["issuer"] == issuer
        assert "S256" in config["code_challenge_methods_supported"]
        code = _authorize(http, config, "v" * 48)
        token = http.post(
            config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": "v" * 48,
            },
            auth=("edu-portal", "s3cret"),
        )
        assert token.status_code == 200, token.text
        assert token.headers["cache-control"] == "no-store"
        body = token.json()
        key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(body["id_token"])
        claims = jwt.decode(
            body["id_token"], key, algorithms=["RS256"], audience="edu-portal", issuer=issuer
        )
        assert claims["sub"] == "323456-78901"
        assert claims["nonce"] == "n-1"
        assert claims["azp"] == "edu-portal"
        assert claims["given_name"] == "Līga"
        digest = hashlib.sha256(body["access_token"].encode()).digest()
        assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
        info = http.get(
            config["userinfo_endpoint"], headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert info.json()["sub"] == "323456-78901"

        # A code is good once.
        again = http.post(
            config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": "v" * 48,
                "client_id": "edu-portal",
                "client_secret": "s3cret",
            },
        )
        assert again.status_code == 400
        assert again.json()["error"] == "invalid_grant"

        # Sign-out returns to the registered address with the state.
        out = http.get(
            config["end_session_endpoint"],
            params={
                "id_token_hint": body["id_token"],
                "post_logout_redirect_uri": SIGNED_OUT,
                "state": "x",
            },
        )
        assert out.status_code == 302
        assert out.headers["location"] == f"{SIGNED_OUT}?state=x"


def test_refusals(issuer: str) -> None:
    with httpx.Client() as http:
        config = http.get(f"{issuer}/.well-known/openid-configuration").json()
        code = _authorize(http, config, "right-verifier-" * 3)
        token = config["token_endpoint"]
        base = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        wrong_secret = http.post(token, data=base, auth=("edu-portal", "nope"))
        assert wrong_secret.status_code == 401
        assert wrong_secret.json()["error"] == "invalid_client"
        wrong_verifier = http.post(
            token, data={**base, "code_verifier": "wrong"}, auth=("edu-portal", "s3cret")
        )
        assert wrong_verifier.json()["error"] == "invalid_grant"
        # Never redirected to an address the client did not register.
        bad = http.get(
            config["authorization_endpoint"],
            params={
                "response_type": "code",
                "client_id": "edu-portal",
                "redirect_uri": "https://evil.example/cb",
                "scope": "openid",
            },
        )
        assert bad.status_code == 400
        assert "location" not in bad.headers
        # Without the openid scope: the error goes back to the client.
        no_openid = http.get(
            config["authorization_endpoint"],
            params={
                "response_type": "code",
                "client_id": "edu-portal",
                "redirect_uri": REDIRECT,
                "scope": "profile",
                "state": "s",
            },
        )
        assert no_openid.status_code == 302
        assert no_openid.headers["location"] == f"{REDIRECT}?error=invalid_scope&state=s"
        unregistered_logout = http.get(
            config["end_session_endpoint"],
            params={"post_logout_redirect_uri": "https://evil.example/"},
        )
        assert unregistered_logout.status_code == 400
