"""A minimal OpenID Connect provider for test persons (local-prod only).

Stands in for latvija.lv's identity service when the production manifests are
played on one machine (deploy/k8s/overlays/local-prod): the portal signs people
in through the standard authorization-code flow against it, exactly as it does
against the real provider. Never deployed to production.

Standards it follows (OpenID Connect Core 1.0, Discovery 1.0, RP-Initiated
Logout 1.0, RFC 6749, RFC 7636):

- ``GET /.well-known/openid-configuration`` discovery; ``GET /jwks`` the RS256 key;
- ``GET /authorize`` (``response_type=code``, registered ``redirect_uri``, scope
  ``openid``, PKCE S256 when given, ``nonce``, ``state``) shows a form: the test
  person's personal code and name; ``POST /authorize`` issues a one-time code
  (60 s) and redirects back with ``code`` and ``state``;
- ``POST /token`` (client_secret_post or client_secret_basic, the code's
  ``redirect_uri`` and PKCE verifier) answers an ID token signed RS256 with
  ``iss, sub, aud, azp, exp, iat, auth_time, nonce, at_hash, acr, amr`` and the
  names, and an access token for ``GET /userinfo``;
- ``GET /end_session`` (``id_token_hint``, registered
  ``post_logout_redirect_uri``, ``state``).

Settings (environment): ``OIDC_ISSUER`` (what the relying party fetches, e.g.
``http://oidc:9000``), ``OIDC_PUBLIC_URL`` (where browsers reach it, for the
authorization and end-session endpoints; default the issuer), ``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET`` or ``OIDC_CLIENT_SECRET_FILE``, ``OIDC_REDIRECT_URIS`` and
``OIDC_POST_LOGOUT_REDIRECT_URIS`` (comma-separated), ``OIDC_PORT`` (9000).
The signing key is made at start: relying parties read it from the JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CODE_SECONDS = 60
TOKEN_SECONDS = 600
PERSONAL_CODE = re.compile(r"^\d{6}-?\d{5}$")
METHODS = {"eparaksts": "eParaksts mobile", "bank": "Internet bank", "eid": "eID card"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Settings:
    issuer: str
    public_url: str
    client_id: str
    client_secret: str
    redirect_uris: frozenset[str]
    post_logout_redirect_uris: frozenset[str]
    port: int

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Settings:
        issuer = env.get("OIDC_ISSUER", "http://127.0.0.1:9000").rstrip("/")
        secret = env.get("OIDC_CLIENT_SECRET", "")
        if not secret and env.get("OIDC_CLIENT_SECRET_FILE"):
            secret = Path(env["OIDC_CLIENT_SECRET_FILE"]).read_text().strip()
        if not secret:
            raise SystemExit("OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE is required")

        def uris(name: str) -> frozenset[str]:
            return frozenset(u.strip() for u in env.get(name, "").split(",") if u.strip())

        return cls(
            issuer=issuer,
            public_url=env.get("OIDC_PUBLIC_URL", issuer).rstrip("/"),
            client_id=env.get("OIDC_CLIENT_ID", "edu-portal"),
            client_secret=secret,
            redirect_uris=uris("OIDC_REDIRECT_URIS"),
            post_logout_redirect_uris=uris("OIDC_POST_LOGOUT_REDIRECT_URIS"),
            port=int(env.get("OIDC_PORT", "9000")),
        )


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    claims: dict[str, Any]
    expires: float


@dataclass
class Provider:
    settings: Settings
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    codes: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, tuple[dict[str, Any], float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def discovery(self) -> dict[str, Any]:
        s = self.settings
        return {
            "issuer": s.issuer,
            "authorization_endpoint": f"{s.public_url}/authorize",
            "token_endpoint": f"{s.issuer}/token",
            "jwks_uri": f"{s.issuer}/jwks",
            "userinfo_endpoint": f"{s.issuer}/userinfo",
            "end_session_endpoint": f"{s.public_url}/end_session",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": [
                "sub",
                "given_name",
                "family_name",
                "acr",
                "amr",
                "auth_time",
                "nonce",
            ],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def check_authorize(self, q: dict[str, str]) -> str | None:
        """The reason the request cannot go on (shown, never redirected), or None."""
        if q.get("client_id") != self.settings.client_id:
            return "unknown client_id"
        if q.get("redirect_uri") not in self.settings.redirect_uris:
            return "redirect_uri is not registered for this client"
        return None

    def authorize_error(self, q: dict[str, str]) -> str | None:
        """An error the relying party is told about at its redirect_uri."""
        if q.get("response_type") != "code":
            return "unsupported_response_type"
        if "openid" not in q.get("scope", "").split():
            return "invalid_scope"
        if q.get("code_challenge") and q.get("code_challenge_method", "plain") != "S256":
            return "invalid_request"
        return None

    def issue_code(self, q: dict[str, str], person: dict[str, str]) -> str:
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = Grant(
                client_id=q["client_id"],
                redirect_uri=q["redirect_uri"],
                nonce=q.get("nonce") or None,
                challenge=q.get("code_challenge") or None,
                claims=person,
                expires=time.time() + CODE_SECONDS,
            )
        return code

    def redeem(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, Any]:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != self.settings.client_id or not secrets.compare_digest(
            secret.encode(), self.settings.client_secret.encode()
        ):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # one use only
        if grant is None or grant.expires < time.time() or grant.client_id != client_id:
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        if grant.challenge is not None:
            verifier = form.get("code_verifier", "")
            if _b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        now = int(time.time())
        access_token = secrets.token_urlsafe(32)
        digest = hashlib.sha256(access_token.encode()).digest()
        claims = {
            "iss": self.settings.issuer,
            "sub": grant.claims["sub"],
            "aud": client_id,
            "azp": client_id,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "auth_time": now,
            "at_hash": _b64url(digest[: len(digest) // 2]),
            "acr": "urn:test:loa:substantial",
            "amr": [grant.claims.get("amr", "eparaksts")],
            "given_name": grant.claims.get("given_name"),
            "family_name": grant.claims.get("family_name"),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        with self.lock:
            self.access_tokens[access_token] = (claims, now + TOKEN_SECONDS)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "id_token": id_token,
            "scope": "openid profile",
        }
        return 200, body

    def userinfo(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.access_tokens.get(token)
        if found is None or found[1] < time.time():
            return None
        claims = found[0]
        return {k: claims[k] for k in ("sub", "given_name", "family_name") if claims.get(k)}


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="lv"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    provider: Provider
    server_version = "edu-oidc-test-provider"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # No query strings in the log: codes and states are credentials.
        print(json.dumps({"service": "oidc-provider", "request": self.path.split("?")[0]}))

    # -------------------------------------------------------------- plumbing
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _redirect(self, location: str) -> None:
        self._send(HTTPStatus.FOUND, b"", "text/plain", {"Location": location})

    def _html(self, status: int, title: str, body: str) -> None:
        self._send(status, _page(title, body), "text/html; charset=utf-8")

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 64 * 1024:
            return {}
        raw = self.rfile.read(length).decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    # ---------------------------------------------------------------- routes
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        p = self.provider
        if path == "/.well-known/openid-configuration":
            self._json(200, p.discovery())
        elif path == "/jwks":
            self._json(200, p.jwks())
        elif path == "/health":
            self._json(200, {"status": "ok"})
        elif path == "/authorize":
            self._authorize_form(self._query())
        elif path == "/userinfo":
            auth = self.headers.get("Authorization", "")
            claims = p.userinfo(auth[7:]) if auth.startswith("Bearer ") else None
            if claims is None:
                self._send(
                    401, b"", "text/plain", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                )
            else:
                self._json(200, claims)
        elif path == "/end_session":
            self._end_session(self._query())
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/authorize":
            self._authorize_submit(self._form())
        elif path == "/token":
            basic = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                except ValueError:
                    self._json(401, {"error": "invalid_client"})
                    return
                from urllib.parse import unquote_plus

                basic = (unquote_plus(user), unquote_plus(password))
            status, body = self.provider.redeem(self._form(), basic)
            self._send(
                status, json.dumps(body).encode(), "application/json", {"Pragma": "no-cache"}
            )
        else:
            self._json(404, {"error": "not_found"})

    def _refuse_or_error(self, q: dict[str, str]) -> bool:
        """True when the request was answered with an error."""
        problem = self.provider.check_authorize(q)
        if problem is not None:
            self._html(
                400, "Invalid request", f"<h1>Invalid request</h1><p>{html.escape(problem)}</p>"
            )
            return True
        error = self.provider.authorize_error(q)
        if error is not None:
            query = {"error": error, **({"state": q["state"]} if q.get("state") else {})}
            self._redirect(f"{q['redirect_uri']}?{urlencode(query)}")
            return True
        return False

    def _authorize_form(self, q: dict[str, str]) -> None:
        if self._refuse_or_error(q):
            return
        keep = (
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        )
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(q[k])}">' for k in keep if k in q
        )
        methods = "".join(
            f'<option value="{k}">{html.escape(v)}</option>' for k, v in METHODS.items()
        )
        self._html(
            200,
            "Test sign-in",
            "<h1>Testa autentifikācija / Test sign-in</h1>"
            '<form method="post" action="/authorize">'
            f"{hidden}"
            '<p><label>Personas kods / Personal code <input name="personal_code" '
            'required pattern="[0-9]{6}-?[0-9]{5}"></label></p>'
            '<p><label>Vārds / Given name <input name="given_name"></label></p>'
            '<p><label>Uzvārds / Family name <input name="family_name"></label></p>'
            f'<p><label>Veids / Method <select name="method">{methods}</select></label></p>'
            '<p><button type="submit">Pieslēgties / Sign in</button></p></form>',
        )

    def _authorize_submit(self, form: dict[str, str]) -> None:
        if self._refuse_or_error(form):
            return
        code_value = form.get("personal_code", "").strip()
        if not PERSONAL_CODE.fullmatch(code_value):
            self._html(
                400,
                "Test sign-in",
                "<h1>Nederīgs personas kods / Invalid personal code</h1>",
            )
            return
        if "-" not in code_value:
            code_value = f"{code_value[:6]}-{code_value[6:]}"
        method = form.get("method", "")
        person = {
            "sub": code_value,
            "given_name": form.get("given_name", "").strip(),
            "family_name": form.get("family_name", "").strip(),
            "amr": method if method in METHODS else "eparaksts",
        }
        code = self.provider.issue_code(form, person)
        query = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        self._redirect(f"{form['redirect_uri']}?{urlencode(query)}")

    def _end_session(self, q: dict[str, str]) -> None:
        hint = q.get("id_token_hint")
        if hint:
            try:
                jwt.decode(
                    hint,
                    self.provider.key.public_key(),
                    algorithms=["RS256"],
                    audience=self.provider.settings.client_id,
                    issuer=self.provider.settings.issuer,
                    options={"verify_exp": False},
                )
            except jwt.PyJWTError:
                self._html(400, "Sign-out", "<h1>Invalid id_token_hint</h1>")
                return
        target = q.get("post_logout_redirect_uri")
        if target:
            if target not in self.provider.settings.post_logout_redirect_uris:
                self._html(400, "Sign-out", "<h1>post_logout_redirect_uri is not registered</h1>")
                return
            state = {"state": q["state"]} if q.get("state") else {}
            self._redirect(f"{target}?{urlencode(state)}" if state else target)
            return
        self._html(200, "Sign-out", "<h1>Jūs esat izgājis / You are signed out</h1>")


def serve(settings: Settings, host: str = "0.0.0.0") -> ThreadingHTTPServer:  # noqa: S104 - in a pod
    handler = type("BoundHandler", (Handler,), {"provider": Provider(settings)})
    return ThreadingHTTPServer((host, settings.port), handler)


def main() -> None:
    settings = Settings.from_env(dict(os.environ))
    server = serve(settings, os.environ.get("OIDC_HOST", "0.0.0.0"))  # noqa: S104 - in a pod
    print(
        json.dumps({"service": "oidc-provider", "issuer": settings.issuer, "port": settings.port})
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
