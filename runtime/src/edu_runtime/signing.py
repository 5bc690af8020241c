"""The gateway's signing key: the portal mints the JWT the services verify.

Locally the key pair is generated on first use under ``DATA_DIR/keys`` (the
portal, ``edu token`` and the tests share it); the services read only the
public JWKS. In production the gateway (the portal's front end) owns the
private key and publishes the JWKS (deploy/RUNBOOK.md: key rotation): there
the key is a mounted, read-only Secret holding ``gateway-ed25519.pem`` and
``kid`` only, so ``GatewayKeys(..., generate=False)`` (the default) never
writes anything and refuses clearly when the key is missing — generating one
over the mount would silently replace the real key (issue #19).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEFAULT_ISSUER = "https://gateway.latvija.lv"
DEFAULT_AUDIENCE = "edu-eservices"


class SigningKeyMissing(RuntimeError):
    """The mounted signing key cannot be read (and may not be generated here)."""


class GatewayKeys:
    def __init__(self, data_dir: Path, *, generate: bool = False) -> None:
        self.dir = data_dir / "keys"
        self.private_path = self.dir / "gateway-ed25519.pem"
        self.jwks_path = self.dir / "jwks.json"
        self.kid_path = self.dir / "kid"
        # Only local runs (the stand-in sign-in, `edu token`, tests) may create a key.
        self.generate = generate

    def check(self) -> GatewayKeys:
        """Fail now, with a clear message, when the key cannot be used to sign."""
        self._load()
        return self

    def _load(self) -> tuple[Ed25519PrivateKey, str]:
        try:
            pem = self.private_path.read_bytes()
            kid = self.kid_path.read_text().strip()
        except OSError as exc:
            raise SigningKeyMissing(
                f"the gateway signing key is not readable at {self.dir} "
                f"(gateway-ed25519.pem and kid): {exc.strerror or exc}"
            ) from None
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey) or not kid:
            raise SigningKeyMissing(f"{self.private_path} is not an Ed25519 key with a kid")
        return key, kid

    def ensure(self) -> GatewayKeys:
        """Local use only: create the key pair (or the JWKS of an existing key)."""
        if self.private_path.exists() and self.kid_path.exists():
            if not self.jwks_path.exists():
                key, kid = self._load()
                self._write_jwks(key, kid)
            return self
        self.dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        kid = f"local-{uuid.uuid4().hex[:8]}"
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(self.private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        self._write_jwks(key, kid)
        self.kid_path.write_text(kid)
        return self

    def _write_jwks(self, key: Ed25519PrivateKey, kid: str) -> None:
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "EdDSA"})
        self.jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))

    def mint(
        self,
        subject: str,
        *,
        role: str = "citizen",
        institution_id: str | None = None,
        ttl: dt.timedelta = dt.timedelta(hours=1),
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        auth_method: str = "eparaksts",
        given_name: str | None = None,
        family_name: str | None = None,
        now: dt.datetime | None = None,
    ) -> str:
        if self.generate:
            self.ensure()
        key, kid = self._load()
        issued = now or dt.datetime.now(dt.UTC)
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "iat": int(issued.timestamp()),
            "nbf": int(issued.timestamp()),
            "exp": int((issued + ttl).timestamp()),
            "role": role,
            "amr": auth_method,
            "jti": uuid.uuid4().hex,
        }
        if institution_id:
            claims["institution_id"] = institution_id
        if given_name:
            claims["given_name"] = given_name
        if family_name:
            claims["family_name"] = family_name
        return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})
