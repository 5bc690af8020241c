"""Settings of the portal's pages (environment prefix ``EDU_PORTAL_``).

The portal is the gateway's front end: it holds the sessions and mints the
gateway JWT the back-end services verify. It shares the infrastructure
settings (``EDU_MONGO_URL``, ``EDU_DATA_DIR``, ``EDU_JWT_*`` ...) with them;
it has no Kafka of its own.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from edu_runtime.settings import DEFAULT_DATA_DIR
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared(name: str) -> AliasChoices:
    return AliasChoices(f"EDU_{name}")


class SignInMode(StrEnum):
    STAND_IN = "stand-in"  # local only, asked for explicitly: pick any person of the registers
    OIDC = "oidc"  # deploy: a real OpenID Connect provider (the default)


# The defaults below are public (they are in this file): fine on a developer's
# machine, refused wherever the portal could face the internet.
LOCAL_CSRF_SECRET = "local-development-only-csrf-secret-0123456789"  # noqa: S105
LOCAL_PSEUDONYM_KEY = "local-development-only-pseudonym-key"


class UnsafeSettings(RuntimeError):
    """The portal refuses to start with settings that are only safe locally."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_PORTAL_", extra="ignore", populate_by_name=True
    )

    service_name: str = "portal"
    http_host: str = "127.0.0.1"
    http_port: int = 8105
    mongo_db: str = "edu_portal"

    # Where the pages call the APIs, server side (the services' own ports, or
    # their cluster names in deploy/).
    registry_url: str = "http://127.0.0.1:8101"
    applications_url: str = "http://127.0.0.1:8102"
    documents_url: str = "http://127.0.0.1:8103"
    api_timeout_seconds: float = 10.0

    session_idle_minutes: int = Field(
        default=30, gt=0, description="A session unused this long has expired."
    )
    session_max_hours: int = Field(default=8, gt=0, description="A session's longest life.")
    token_minutes: int = Field(
        default=10, gt=1, description="Life of the JWT minted for a session's API calls."
    )
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure: on behind TLS (deploy/)."
    )
    csrf_secret: SecretStr = Field(
        default=SecretStr(LOCAL_CSRF_SECRET),
        description="Signs the CSRF cookie. Must be set to a secret in production.",
    )

    sign_in: SignInMode = Field(
        default=SignInMode.OIDC,
        description="oidc, or stand-in for local use only (bound to loopback, explicitly set).",
    )
    directory_file: Path | None = Field(
        default=None,
        description="Sample people the sign-in stand-in offers; default DATA_DIR/people.json.",
    )
    oidc_issuer: str | None = None
    oidc_authorization_endpoint: str | None = None
    oidc_token_endpoint: str | None = None
    oidc_jwks_uri: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_uri: str | None = None
    oidc_scopes: str = "openid profile"
    oidc_code_claim: str = Field(
        default="sub", description="The ID token claim that carries the personal code."
    )
    oidc_acr_values: str | None = Field(
        default=None,
        description="Assurance levels to ask for (acr_values); the ID token's acr must be one.",
    )
    oidc_end_session_endpoint: str | None = Field(
        default=None, description="The provider's sign-out (RP-initiated logout) endpoint."
    )
    oidc_post_logout_redirect_uri: str | None = Field(
        default=None, description="Where the provider sends the person after signing out."
    )

    my_data_reads_per_minute: int = Field(
        default=30,
        gt=0,
        description="My-data reads and printouts a person may ask for in a minute, "
        "over all their sessions.",
    )

    # Shared with the services
    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=_shared("MONGO_URL"),
    )
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, validation_alias=_shared("DATA_DIR"))
    pseudonym_key: SecretStr = Field(
        default=SecretStr(LOCAL_PSEUDONYM_KEY),
        validation_alias=_shared("PSEUDONYM_KEY"),
        description="HMAC key for the person keys of the rate limits (as the services').",
    )
    jwt_issuer: str = Field(
        default="https://gateway.latvija.lv", validation_alias=_shared("JWT_ISSUER")
    )
    jwt_audience: str = Field(default="edu-eservices", validation_alias=_shared("JWT_AUDIENCE"))
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    otel_traces_file: Path | None = Field(default=None, validation_alias=_shared("TRACES_FILE"))
    log_level: str = Field(default="INFO", validation_alias=_shared("LOG_LEVEL"))

    @property
    def local(self) -> bool:
        """Local development: the stand-in sign-in (and so a generated signing key)."""
        return self.sign_in is SignInMode.STAND_IN

    def refuse_unsafe(self) -> None:
        """Raise ``UnsafeSettings`` naming every setting that is only safe locally."""
        problems: list[str] = []
        if self.sign_in is SignInMode.STAND_IN and not _is_loopback(self.http_host):
            problems.append(
                "the sign-in stand-in (EDU_PORTAL_SIGN_IN=stand-in) lets anyone sign in as "
                f"anyone: it runs only on a loopback address, not on {self.http_host!r}"
            )
        if self.sign_in is SignInMode.STAND_IN and self.secure_cookies:
            problems.append("the sign-in stand-in is for local use, not behind TLS")
        if self.secure_cookies or self.sign_in is SignInMode.OIDC:
            if self.csrf_secret.get_secret_value() == LOCAL_CSRF_SECRET:
                problems.append("set EDU_PORTAL_CSRF_SECRET: the default is public")
            if self.pseudonym_key.get_secret_value() == LOCAL_PSEUDONYM_KEY:
                problems.append("set EDU_PSEUDONYM_KEY: the default is public")
        if self.sign_in is SignInMode.OIDC:
            missing = [
                f"EDU_PORTAL_{name.upper()}"
                for name in (
                    "oidc_issuer",
                    "oidc_authorization_endpoint",
                    "oidc_token_endpoint",
                    "oidc_jwks_uri",
                    "oidc_client_id",
                    "oidc_redirect_uri",
                )
                if not getattr(self, name)
            ]
            if missing:
                problems.append(
                    "sign-in is OpenID Connect (the default; EDU_PORTAL_SIGN_IN=stand-in "
                    f"for local use) but {', '.join(missing)} is not set"
                )
        if problems:
            raise UnsafeSettings("the portal refuses to start: " + "; ".join(problems))

    @property
    def people_path(self) -> Path:
        return self.directory_file or self.data_dir / "people.json"
