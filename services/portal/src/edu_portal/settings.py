"""Settings of the portal's pages (environment prefix ``EDU_PORTAL_``).

The portal is the gateway's front end: it holds the sessions and mints the
gateway JWT the back-end services verify. It shares the infrastructure
settings (``EDU_MONGO_URL``, ``EDU_DATA_DIR``, ``EDU_JWT_*`` ...) with them;
it has no Kafka of its own.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from edu_runtime.settings import DEFAULT_DATA_DIR
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared(name: str) -> AliasChoices:
    return AliasChoices(f"EDU_{name}")


class SignInMode(StrEnum):
    STAND_IN = "stand-in"  # local: pick a person of the loaded registers
    OIDC = "oidc"  # deploy: a real OpenID Connect provider


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
        default=SecretStr("local-development-only-csrf-secret-0123456789"),
        description="Signs the CSRF cookie. Must be set to a secret in production.",
    )

    sign_in: SignInMode = SignInMode.STAND_IN
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

    # Shared with the services
    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=_shared("MONGO_URL"),
    )
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, validation_alias=_shared("DATA_DIR"))
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
    def people_path(self) -> Path:
        return self.directory_file or self.data_dir / "people.json"
