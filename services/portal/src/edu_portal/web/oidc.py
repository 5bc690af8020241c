"""Sign-in with a real OpenID Connect provider (deploy/: ``EDU_PORTAL_SIGN_IN=oidc``),
the authorization-code flow with PKCE, as latvija.lv's identity service offers it:

1. ``/auth/sign-in`` → the provider's authorization endpoint, with a random
   ``state``, ``nonce`` and PKCE verifier kept server side (``oidc_logins``,
   ten minutes) — nothing to forge in the browser;
2. the provider sends the person back to ``/auth/callback?code&state``; the
   portal redeems the code at the token endpoint (client secret + verifier),
   verifies the ID token (signature from the provider's JWKS, issuer, audience
   = client id, expiry, nonce) and takes the personal code from the claim
   ``EDU_PORTAL_OIDC_CODE_CLAIM``;
3. a session is opened exactly as after the local stand-in.

Settings: RUNBOOK.md ("Sign-in with OpenID Connect").
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from edu_contracts.personal_code import PersonalCodeError, normalize_personal_code
from pymongo.asynchronous.database import AsyncDatabase

from edu_portal.settings import PortalSettings
from edu_portal.web.session import Person

COLLECTION = "oidc_logins"
LOGIN_TTL = dt.timedelta(minutes=10)


class OidcError(Exception):
    """The provider's answer cannot open a session (shown as a sign-in error page)."""


class OidcClient:
    def __init__(self, settings: PortalSettings, db: AsyncDatabase[Any]) -> None:
        self._s = settings
        self._logins = db[COLLECTION]
        self._jwks: jwt.PyJWKClient | None = None
        self._indexed = False

    def _require(self) -> tuple[str, str, str, str, str]:
        s = self._s
        values = (
            s.oidc_issuer,
            s.oidc_authorization_endpoint,
            s.oidc_token_endpoint,
            s.oidc_jwks_uri,
            s.oidc_client_id,
        )
        if not all(values) or not s.oidc_redirect_uri:
            raise OidcError("OpenID Connect is not configured (EDU_PORTAL_OIDC_*)")
        return values  # type: ignore[return-value]

    async def start(self, next_path: str) -> str:
        """The provider's authorization URL for a new login."""
        _, authorize, _, _, client_id = self._require()
        if not self._indexed:
            await self._logins.create_index("expires_at", expireAfterSeconds=0)
            self._indexed = True
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        now = dt.datetime.now(dt.UTC)
        await self._logins.insert_one(
            {
                "_id": state,
                "nonce": nonce,
                "verifier": verifier,
                "next": next_path,
                "expires_at": now + LOGIN_TTL,
            }
        )
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": self._s.oidc_redirect_uri,
            "scope": self._s.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{authorize}?{urlencode(query)}"

    async def finish(self, code: str, state: str) -> tuple[Person, str]:
        """Redeem the code; the person and where they were going."""
        issuer, _, token_endpoint, jwks_uri, client_id = self._require()
        login = await self._logins.find_one_and_delete({"_id": state})
        if login is None:
            raise OidcError("unknown or used state")
        expires = login["expires_at"]
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        if expires < dt.datetime.now(dt.UTC):
            raise OidcError("the login took too long")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._s.oidc_redirect_uri,
            "client_id": client_id,
            "code_verifier": login["verifier"],
        }
        secret = self._s.oidc_client_secret
        if secret is not None:
            form["client_secret"] = secret.get_secret_value()
        async with httpx.AsyncClient(timeout=10.0) as http:
            try:
                r = await http.post(token_endpoint, data=form)
            except httpx.HTTPError as exc:
                raise OidcError(f"token endpoint unreachable: {exc!r}") from None
        if r.status_code != 200:
            raise OidcError(f"token endpoint answered {r.status_code}")
        id_token = r.json().get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("no id_token in the token response")
        claims = await asyncio.to_thread(self._verify, id_token, jwks_uri, issuer, client_id)
        if claims.get("nonce") != login["nonce"]:
            raise OidcError("nonce mismatch")
        try:
            personal_code = normalize_personal_code(str(claims.get(self._s.oidc_code_claim, "")))
        except PersonalCodeError:
            raise OidcError("the ID token carries no valid personal code") from None
        amr = claims.get("amr")
        method = amr[0] if isinstance(amr, list) and amr else str(amr or "oidc")
        person = Person(
            personal_code=personal_code,
            given_name=claims.get("given_name"),
            family_name=claims.get("family_name"),
            auth_method=method,
        )
        return person, str(login.get("next") or "/")

    def _verify(self, token: str, jwks_uri: str, issuer: str, audience: str) -> dict[str, Any]:
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(jwks_uri, cache_keys=True)
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256", "ES256", "EdDSA", "PS256"],
                audience=audience,
                issuer=issuer,
                leeway=30,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise OidcError(f"ID token rejected: {exc}") from None
        return claims
