"""Settings only safe on a developer's machine refuse to start anywhere else
(issue #19): the sign-in stand-in (anyone signs in as anyone) only when asked
for and on loopback; no public default secret behind TLS or with OIDC; the
signing key read from its mount, never generated there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from edu_portal.app import create_app
from edu_portal.settings import PortalSettings, SignInMode, UnsafeSettings
from edu_runtime.signing import GatewayKeys, SigningKeyMissing

OIDC: dict[str, Any] = {
    "sign_in": SignInMode.OIDC,
    "oidc_issuer": "https://id.example",
    "oidc_authorization_endpoint": "https://id.example/authorize",
    "oidc_token_endpoint": "https://id.example/token",
    "oidc_jwks_uri": "https://id.example/jwks",
    "oidc_client_id": "edu-portal",
    "oidc_redirect_uri": "https://portal.example/auth/callback",
    "secure_cookies": True,
}
SECRETS: dict[str, Any] = {"csrf_secret": "a" * 40, "pseudonym_key": "b" * 40}


def test_the_default_is_oidc_and_refuses_to_start_unconfigured(tmp_path: Path) -> None:
    settings = PortalSettings(data_dir=tmp_path)
    assert settings.sign_in is SignInMode.OIDC
    with pytest.raises(UnsafeSettings, match="EDU_PORTAL_SIGN_IN=stand-in"):
        create_app(settings)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "portal.example", "::"])
def test_the_stand_in_refuses_a_non_loopback_address(tmp_path: Path, host: str) -> None:
    settings = PortalSettings(data_dir=tmp_path, sign_in=SignInMode.STAND_IN, http_host=host)
    with pytest.raises(UnsafeSettings, match="only on a loopback address"):
        create_app(settings)


def test_the_stand_in_starts_on_loopback(tmp_path: Path) -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        create_app(PortalSettings(data_dir=tmp_path, sign_in=SignInMode.STAND_IN, http_host=host))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pseudonym_key": "b" * 40}, "EDU_PORTAL_CSRF_SECRET"),
        ({"csrf_secret": "a" * 40}, "EDU_PSEUDONYM_KEY"),
    ],
)
def test_public_default_secrets_refuse_to_start_with_oidc(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(UnsafeSettings, match=message):
        create_app(PortalSettings(data_dir=tmp_path, **OIDC, **overrides))


def test_public_default_secrets_refuse_secure_cookies_even_with_the_stand_in(
    tmp_path: Path,
) -> None:
    with pytest.raises(UnsafeSettings, match="EDU_PORTAL_CSRF_SECRET"):
        create_app(
            PortalSettings(data_dir=tmp_path, sign_in=SignInMode.STAND_IN, secure_cookies=True)
        )


def test_outside_local_use_a_missing_signing_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyMissing, match="not readable"):
        create_app(PortalSettings(data_dir=tmp_path, **OIDC, **SECRETS))
    assert not (tmp_path / "keys").exists()  # nothing generated


def test_the_portal_starts_from_a_read_only_mount_without_jwks(tmp_path: Path) -> None:
    """As deploy/ mounts the Secret: gateway-ed25519.pem and kid, no jwks.json."""
    source = GatewayKeys(tmp_path / "source").ensure()
    mount = tmp_path / "mount" / "keys"
    mount.mkdir(parents=True)
    (mount / "gateway-ed25519.pem").write_bytes(source.private_path.read_bytes())
    (mount / "kid").write_text(source.kid_path.read_text())
    for path in mount.iterdir():
        path.chmod(0o400)
    mount.chmod(0o500)
    try:
        app = create_app(PortalSettings(data_dir=mount.parent, **OIDC, **SECRETS))
        token = app.state["portal"].tokens._keys.mint("010190-10001")
        assert token.count(".") == 2
        assert sorted(p.name for p in mount.iterdir()) == ["gateway-ed25519.pem", "kid"]
    finally:
        mount.chmod(0o700)
