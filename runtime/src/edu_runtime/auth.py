"""Gateway JWT verification and the identity it yields.

The portal's API gateway authenticates the person (bank, eParaksts, eID) and
forwards requests with a JWT signed by its key (EdDSA/Ed25519 or RS256). Every
service checks signature, issuer, audience and expiry itself: nothing behind the
gateway is trusted just for being behind it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from edu_contracts.personal_code import PersonalCode, PersonalCodeError, normalize_personal_code
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Method, Scopes
from pydantic import BaseModel, ConfigDict, ValidationError

from edu_runtime.errors import ApiError

ALGORITHMS = ["EdDSA", "RS256"]


class Role(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"


class Identity(BaseModel):
    """Who is calling. ``personal_code`` is the authenticated person (for staff,
    the employee); ``institution_id`` is set for staff only."""

    model_config = ConfigDict(frozen=True)

    personal_code: PersonalCode
    role: Role
    institution_id: str | None = None
    auth_method: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    token: str

    @property
    def full_name(self) -> str | None:
        names = [n for n in (self.given_name, self.family_name) if n]
        return " ".join(names) or None


class AuthError(NotAuthorizedException):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail=detail)
        self.reason = reason


class JwksKeyStore:
    """Public keys from a JWKS file. The file is re-read when a token names an
    unknown key id (a new key reaches running services at once) and, at most
    every ``recheck_seconds``, whenever it has changed: a key withdrawn from
    the JWKS (deploy/RUNBOOK.md, key rotation step 3) is refused within that
    time, without a restart. A changed file is noticed by its mtime, inode
    and size (a Kubernetes Secret update swaps a symlink: a new inode)."""

    RECHECK_SECONDS = 10.0

    def __init__(
        self,
        path: Path,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._signature: tuple[int, int, int] | None = None
        self._recheck = recheck_seconds
        self._clock = clock
        self._checked = -float("inf")

    def _reload(self) -> None:
        self._checked = self._clock()
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            self._keys, self._signature = {}, None
            raise AuthError(
                "verification_keys_missing", "The gateway keys are not configured."
            ) from None
        signature = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
        if signature == self._signature:
            return
        try:
            keyset = jwt.PyJWKSet.from_dict(json.loads(self._path.read_text()))
        except (OSError, ValueError, jwt.PyJWTError):
            # Caught mid-write: keep the keys we have, read again next time.
            if self._signature is None:
                raise AuthError(
                    "verification_keys_missing", "The gateway keys cannot be read."
                ) from None
            return
        self._keys = {k.key_id or "": k for k in keyset.keys}
        self._signature = signature

    def _due(self) -> bool:
        return self._clock() - self._checked >= self._recheck

    def get(self, kid: str | None) -> jwt.PyJWK:
        with self._lock:
            if kid not in self._keys or self._due():
                self._reload()
            key = self._keys.get(kid or "")
            if key is None and kid is None and len(self._keys) == 1:
                key = next(iter(self._keys.values()))
        if key is None:
            raise AuthError("unknown_signing_key", "The token is signed with an unknown key.")
        return key

    def still_trusted(self, kid: str | None) -> bool:
        """Whether a token verified earlier with ``kid`` may still be honoured."""
        try:
            self.get(kid)
        except AuthError:
            return False
        return True


class TokenVerifier:
    CACHE_SIZE = 10_000
    CACHE_SECONDS = 60.0

    def __init__(self, keys: JwksKeyStore, *, issuer: str, audience: str, leeway: int) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._verified: OrderedDict[str, tuple[Identity, float, str | None]] = OrderedDict()

    def verify(self, token: str) -> Identity:
        """Verify ``token``; a token verified in the last minute and not yet
        expired is not verified again. Why: PyJWT checks the base64 alphabet
        character by character in Python, ~1.7 ms of CPU per request, while a
        portal session sends the same token with every request. A cached token
        is honoured only while its key is still in the JWKS (re-checked every
        ``JwksKeyStore.RECHECK_SECONDS``): a withdrawn key stops at once."""
        now = time.time()
        hit = self._verified.get(token)
        if hit is not None and now < hit[1]:
            if self._keys.still_trusted(hit[2]):
                return hit[0]
            del self._verified[token]
        identity, expires_at, kid = self._verify_uncached(token)
        self._verified[token] = (identity, min(expires_at, now + self.CACHE_SECONDS), kid)
        while len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return identity

    def _verify_uncached(self, token: str) -> tuple[Identity, float, str | None]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("invalid_token", "The bearer token is malformed.") from None
        kid = header.get("kid")
        key = self._keys.get(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token_expired", "The token has expired.") from None
        except jwt.InvalidAudienceError:
            raise AuthError("wrong_audience", "The token is not meant for this service.") from None
        except jwt.InvalidIssuerError:
            raise AuthError("wrong_issuer", "The token was not issued by the gateway.") from None
        except jwt.InvalidSignatureError:
            raise AuthError("invalid_signature", "The token signature is not valid.") from None
        except jwt.PyJWTError as exc:
            raise AuthError("invalid_token", f"The token is not valid: {exc}") from None
        try:
            normalize_personal_code(str(claims["sub"]))
            role = Role(claims.get("role", Role.CITIZEN))
            if role is Role.STAFF and not claims.get("institution_id"):
                raise AuthError("invalid_claims", "A staff token must name an institution.")
            identity = Identity(
                personal_code=claims["sub"],
                role=role,
                institution_id=claims.get("institution_id"),
                auth_method=claims.get("amr"),
                given_name=claims.get("given_name"),
                family_name=claims.get("family_name"),
                token=token,
            )
            return identity, float(claims["exp"]), kid
        except (ValueError, ValidationError, PersonalCodeError):
            raise AuthError("invalid_claims", "The token's claims are not valid.") from None


class GatewayAuthMiddleware(AbstractAuthenticationMiddleware):
    """Authenticates every request except the excluded (health, schema) paths."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        exclude: str | list[str] | None = None,
        exclude_from_auth_key: str = "exclude_from_auth",
        exclude_http_methods: list[Method] | None = None,
        scopes: Scopes | None = None,
    ) -> None:
        super().__init__(
            app,
            exclude=exclude,
            exclude_from_auth_key=exclude_from_auth_key,
            exclude_http_methods=exclude_http_methods or ["OPTIONS"],
            scopes=scopes,
        )
        self._verifier = verifier

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(
                "missing_token", "Send the gateway's token as 'Authorization: Bearer …'."
            )
        identity = self._verifier.verify(token.strip())
        return AuthenticationResult(user=identity, auth=token)


def identity_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    user = connection.user
    if not isinstance(user, Identity):
        raise AuthError("missing_token", "Not authenticated.")
    return user


def _is_preflight(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """OPTIONS is not authenticated (CORS preflights carry no token) and answers
    only which methods exist, so the role guards let it through."""
    return connection.scope.get("method") == "OPTIONS"


# Guards are coroutines: Litestar hands a plain function guard to a worker
# thread, which cost ~0.5 ms on every request.
async def citizens_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if _is_preflight(connection):
        return
    if identity_of(connection).role is not Role.CITIZEN:
        raise ApiError(
            403, "citizens_only", "This endpoint is for citizens signed in through the portal."
        )


async def staff_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if _is_preflight(connection):
        return
    if identity_of(connection).role is not Role.STAFF:
        raise ApiError(403, "staff_only", "This endpoint is for staff of an education institution.")
