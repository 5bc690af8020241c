"""The gateway's signing key: the portal mints the JWT the services verify.

Locally the key pair is generated on first use under ``DATA_DIR/keys`` (the
portal, ``edu token`` and the tests share it); the services read only the
public JWKS. In production the gateway (the portal's front end) owns the
private key and publishes the JWKS (deploy/RUNBOOK.md: key rotation).
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


class GatewayKeys:
    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "keys"
        self.private_path = self.dir / "gateway-ed25519.pem"
        self.jwks_path = self.dir / "jwks.json"
        self.kid_path = self.dir / "kid"

    def ensure(self) -> GatewayKeys:
        if self.private_path.exists() and self.jwks_path.exists() and self.kid_path.exists():
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
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "EdDSA"})
        self.jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))
        self.kid_path.write_text(kid)
        return self

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
        self.ensure()
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
        key = serialization.load_pem_private_key(self.private_path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return jwt.encode(
            claims, key, algorithm="EdDSA", headers={"kid": self.kid_path.read_text()}
        )
