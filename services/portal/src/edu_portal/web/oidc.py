"""Sign-in with a real OpenID Connect provider (deploy/: ``EDU_PORTAL_SIGN_IN=oidc``),
the authorization-code flow with PKCE, as latvija.lv's identity service offers it:

1. ``/auth/sign-in`` → the provider's authorization endpoint, with a random
   ``state``, ``nonce`` and PKCE verifier kept server side (``oidc_logins``,
   ten minutes) — nothing to forge in the browser. The login is bound to the
   browser that started it: a random value in a short-lived HttpOnly cookie
   (``edu_oidc``), its hash stored with the login. A callback URL taken from
   one browser signs nobody in in another (login CSRF, issue #19);
2. the provider sends the person back to ``/auth/callback?code&state``; the
   portal checks the browser's cookie, redeems the code at the token endpoint
   (client secret + verifier), verifies the ID token (signature from the
   provider's JWKS, issuer, audience = client id, ``azp`` when present or when
   there are several audiences, expiry, nonce, ``at_hash`` when present,
   ``acr`` when required) and takes the personal code from the claim
   ``EDU_PORTAL_OIDC_CODE_CLAIM``. Any other answer of the token endpoint (an
   error, HTML, not JSON) is a sign-in error page, never a 500;
3. a session is opened exactly as after the local stand-in; it keeps the ID
   token, the ``id_token_hint`` of the provider's sign-out (RP-initiated
   logout) when the person signs out.

Settings: RUNBOOK.md ("Sign-in with OpenID Connect").
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
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
# Holds the browser's half of a login in progress (path /auth/: sent only to
# the callback and sign-in; SameSite=Lax: sent on the provider's redirect).
BROWSER_COOKIE = "edu_oidc"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _at_hash(access_token: str, alg: str) -> str:
    """OIDC Core 3.1.3.6: left half of the hash of the access token."""
    hashes = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
    algorithm = hashlib.sha512 if alg == "EdDSA" else hashes.get(alg[-3:], hashlib.sha256)
    digest = algorithm(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


@dataclass(frozen=True)
class SignedInWithOidc:
    person: Person
    next_path: str
    id_token: str


@dataclass(frozen=True)
class LoginStarted:
    url: str  # the provider's authorization URL
    browser_binding: str  # the value of BROWSER_COOKIE


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

    async def start(self, next_path: str) -> LoginStarted:
        """The provider's authorization URL for a new login, and the value of
        the cookie that binds it to this browser."""
        _, authorize, _, _, client_id = self._require()
        if not self._indexed:
            await self._logins.create_index("expires_at", expireAfterSeconds=0)
            self._indexed = True
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        binding = secrets.token_urlsafe(32)
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
                "browser": _hash(binding),
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
        if self._s.oidc_acr_values:
            query["acr_values"] = self._s.oidc_acr_values
        return LoginStarted(f"{authorize}?{urlencode(query)}", binding)

    def end_session_url(self, id_token: str | None) -> str | None:
        """The provider's sign-out (RP-initiated logout), if it has one."""
        endpoint = self._s.oidc_end_session_endpoint
        if not endpoint:
            return None
        query = {"client_id": self._s.oidc_client_id or ""}
        if id_token:
            query["id_token_hint"] = id_token
        if self._s.oidc_post_logout_redirect_uri:
            query["post_logout_redirect_uri"] = self._s.oidc_post_logout_redirect_uri
        return f"{endpoint}?{urlencode(query)}"

    async def finish(self, code: str, state: str, browser_binding: str | None) -> SignedInWithOidc:
        """Redeem the code; the person, where they were going and the ID token."""
        issuer, _, token_endpoint, jwks_uri, client_id = self._require()
        if not browser_binding:
            raise OidcError("the browser did not start this sign-in (no binding cookie)")
        # Deleted only by the browser that started it: a stranger's callback
        # (login CSRF) does not spend the person's own login either.
        login = await self._logins.find_one_and_delete(
            {"_id": state, "browser": _hash(browser_binding)}
        )
        if login is None:
            raise OidcError("unknown or used state, or another browser's sign-in")
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
        try:
            answer = r.json()
        except ValueError:
            raise OidcError("the token endpoint's answer is not JSON") from None
        if not isinstance(answer, dict):
            raise OidcError("the token endpoint's answer is not a JSON object")
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("no id_token in the token response")
        claims, alg = await asyncio.to_thread(self._verify, id_token, jwks_uri, issuer, client_id)
        if claims.get("nonce") != login["nonce"]:
            raise OidcError("nonce mismatch")
        self._check_claims(claims, alg, client_id, answer.get("access_token"))
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
        return SignedInWithOidc(person, str(login.get("next") or "/"), id_token)

    def _check_claims(
        self, claims: dict[str, Any], alg: str, client_id: str, access_token: object
    ) -> None:
        audiences = claims.get("aud")
        azp = claims.get("azp")
        if isinstance(audiences, list) and len(audiences) > 1 and azp is None:
            raise OidcError("several audiences and no azp")
        if azp is not None and azp != client_id:
            raise OidcError("the ID token was issued to another party (azp)")
        at_hash = claims.get("at_hash")
        if at_hash is not None and (
            not isinstance(access_token, str) or _at_hash(access_token, alg) != at_hash
        ):
            raise OidcError("at_hash does not match the access token")
        wanted = {v for v in (self._s.oidc_acr_values or "").split() if v}
        if wanted and claims.get("acr") not in wanted:
            raise OidcError("the sign-in's assurance level (acr) is not the one asked for")

    def _verify(
        self, token: str, jwks_uri: str, issuer: str, audience: str
    ) -> tuple[dict[str, Any], str]:
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
        return claims, str(jwt.get_unverified_header(token).get("alg", ""))
