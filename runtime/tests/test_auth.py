"""Gateway token verification (no servers needed)."""

import datetime as dt
import json
from pathlib import Path

import pytest
from edu_runtime.auth import AuthError, JwksKeyStore, Role, TokenVerifier
from edu_tools.gateway import DEFAULT_AUDIENCE, DEFAULT_ISSUER, GatewayKeys

CODE = "140386-11016"


@pytest.fixture
def keys(tmp_path: Path) -> GatewayKeys:
    return GatewayKeys(tmp_path).ensure()


@pytest.fixture
def verifier(keys: GatewayKeys) -> TokenVerifier:
    return TokenVerifier(
        JwksKeyStore(keys.jwks_path), issuer=DEFAULT_ISSUER, audience=DEFAULT_AUDIENCE, leeway=30
    )


def reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as err:
        verifier.verify(token)
    return err.value.reason


def test_valid_citizen_token_yields_identity(keys: GatewayKeys, verifier: TokenVerifier) -> None:
    identity = verifier.verify(keys.mint("14038611016", given_name="Līga", auth_method="eid"))
    assert identity.personal_code == CODE
    assert identity.role is Role.CITIZEN
    assert identity.auth_method == "eid"
    assert identity.full_name == "Līga"


def test_staff_token_carries_institution(keys: GatewayKeys, verifier: TokenVerifier) -> None:
    identity = verifier.verify(keys.mint(CODE, role="staff", institution_id="RIGA-1"))
    assert (identity.role, identity.institution_id) == (Role.STAFF, "RIGA-1")


def test_staff_token_without_institution_is_refused(
    keys: GatewayKeys, verifier: TokenVerifier
) -> None:
    assert reason(verifier, keys.mint(CODE, role="staff")) == "invalid_claims"


def test_expiry_issuer_audience_and_subject_are_checked(
    keys: GatewayKeys, verifier: TokenVerifier
) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    assert reason(verifier, keys.mint(CODE, now=past)) == "token_expired"
    assert reason(verifier, keys.mint(CODE, issuer="https://other")) == "wrong_issuer"
    assert reason(verifier, keys.mint(CODE, audience="other")) == "wrong_audience"
    assert reason(verifier, keys.mint("140386-11017")) == "invalid_claims"  # bad checksum
    assert reason(verifier, keys.mint(CODE, role="admin")) == "invalid_claims"


def test_clock_skew_within_leeway_is_tolerated(keys: GatewayKeys, verifier: TokenVerifier) -> None:
    just_expired = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1, seconds=10)
    assert verifier.verify(keys.mint(CODE, now=just_expired)).personal_code == CODE


def test_rotated_key_is_picked_up_without_restart(
    keys: GatewayKeys, verifier: TokenVerifier, tmp_path: Path
) -> None:
    assert verifier.verify(keys.mint(CODE))
    new = GatewayKeys(tmp_path / "new").ensure()
    old_jwks = json.loads(keys.jwks_path.read_text())
    new_jwks = json.loads(new.jwks_path.read_text())
    keys.jwks_path.write_text(json.dumps({"keys": old_jwks["keys"] + new_jwks["keys"]}))
    assert verifier.verify(new.mint(CODE)).personal_code == CODE
    assert (
        reason(verifier, GatewayKeys(tmp_path / "stranger").ensure().mint(CODE))
        == "unknown_signing_key"
    )


def test_a_key_withdrawn_from_the_jwks_is_refused_within_the_recheck_interval(
    keys: GatewayKeys, tmp_path: Path
) -> None:
    """RUNBOOK rotation step 3 (remove the old key) takes effect without a
    restart, even for a token verified (and cached) a moment ago."""
    now = [0.0]
    store = JwksKeyStore(keys.jwks_path, recheck_seconds=10.0, clock=lambda: now[0])
    verifier = TokenVerifier(store, issuer=DEFAULT_ISSUER, audience=DEFAULT_AUDIENCE, leeway=30)
    new = GatewayKeys(tmp_path / "new").ensure()
    old_jwks = json.loads(keys.jwks_path.read_text())
    new_jwks = json.loads(new.jwks_path.read_text())
    keys.jwks_path.write_text(json.dumps({"keys": old_jwks["keys"] + new_jwks["keys"]}))
    old_token = keys.mint(CODE)
    assert verifier.verify(old_token).personal_code == CODE
    keys.jwks_path.write_text(json.dumps(new_jwks))  # the old key withdrawn
    now[0] = 10.5
    assert reason(verifier, old_token) == "unknown_signing_key"
    assert reason(verifier, keys.mint(CODE)) == "unknown_signing_key"
    assert verifier.verify(new.mint(CODE)).personal_code == CODE
    assert JwksKeyStore.RECHECK_SECONDS <= 60


def test_signing_never_generates_a_key_outside_local_use(tmp_path: Path) -> None:
    """The portal's mount holds only gateway-ed25519.pem and kid (no jwks.json),
    read-only: minting reads it and writes nothing; a missing key is a clear
    error, never a new key over the mount."""
    from edu_runtime.signing import SigningKeyMissing

    source = GatewayKeys(tmp_path / "source").ensure()
    mount = tmp_path / "mount"
    (mount / "keys").mkdir(parents=True)
    (mount / "keys" / "gateway-ed25519.pem").write_bytes(source.private_path.read_bytes())
    (mount / "keys" / "kid").write_text(source.kid_path.read_text() + "\n")
    for path in (mount / "keys").iterdir():
        path.chmod(0o400)
    (mount / "keys").chmod(0o500)
    try:
        token = GatewayKeys(mount).check().mint(CODE)
        verifier = TokenVerifier(
            JwksKeyStore(source.jwks_path),
            issuer=DEFAULT_ISSUER,
            audience=DEFAULT_AUDIENCE,
            leeway=30,
        )
        assert verifier.verify(token).personal_code == CODE
        assert sorted(p.name for p in (mount / "keys").iterdir()) == ["gateway-ed25519.pem", "kid"]
    finally:
        (mount / "keys").chmod(0o700)
    empty = GatewayKeys(tmp_path / "empty")
    with pytest.raises(SigningKeyMissing, match="not readable"):
        empty.mint(CODE)
    assert not empty.dir.exists()


def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    assert reason(verifier, "abc.def.ghi") == "invalid_token"
