"""Settings every service shares, read from the environment.

Shared infrastructure settings use the ``EDU_`` prefix (``EDU_KAFKA_BOOTSTRAP``,
``EDU_MONGO_URL`` ...). Each service subclasses ``ServiceSettings``, names
itself (``SERVICE``) and so gets its own prefix for what is its own: port,
database (``EDU_APPLICATIONS_`` for ServiceName.APPLICATIONS; a subclass may
still set ``env_prefix`` in its model_config).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from edu_contracts.services import ServiceName
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared(name: str) -> AliasChoices:
    return AliasChoices(f"EDU_{name}")


DEFAULT_DATA_DIR = Path(".edu")


def env_prefix(service: ServiceName) -> str:
    """A service's own settings prefix: EDU_REGISTRY_READER_ for registry-reader."""
    return f"EDU_{service.name}_"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    SERVICE: ClassVar[ServiceName]

    # Own (service-prefixed)
    http_host: str = "127.0.0.1"
    http_port: int
    mongo_db: str
    consumer_group: str | None = Field(
        default=None, description="Kafka consumer group; defaults to the service name."
    )

    # Shared infrastructure
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", validation_alias=_shared("KAFKA_BOOTSTRAP")
    )
    kafka_idempotence: bool = Field(
        default=False,
        validation_alias=_shared("KAFKA_IDEMPOTENCE"),
        description="Idempotent producer; on for Apache Kafka, off for the embedded Tansu "
        "broker, which rejects InitProducerId.",
    )
    kafka_partitions: int = Field(default=3, validation_alias=_shared("KAFKA_PARTITIONS"))
    kafka_replication: int = Field(default=1, validation_alias=_shared("KAFKA_REPLICATION"))
    kafka_create_topics: bool = Field(
        default=True,
        validation_alias=_shared("KAFKA_CREATE_TOPICS"),
        description="Create missing topics on start (off in production: a Job provisions them).",
    )
    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=_shared("MONGO_URL"),
    )

    mongo_serialize_transactions: bool = Field(
        default=True,
        validation_alias=_shared("MONGO_SERIALIZE_TRANSACTIONS"),
        description="Run a process's transactions one at a time: needed by the embedded "
        "nx-27017 server, whose sessions share one SQLite transaction; off for MongoDB.",
    )

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, validation_alias=_shared("DATA_DIR"))
    jwt_jwks_file: Path | None = Field(
        default=None,
        validation_alias=_shared("JWT_JWKS_FILE"),
        description="JWKS with the gateway's public signing keys; default DATA_DIR/keys/jwks.json",
    )
    jwt_issuer: str = Field(
        default="https://gateway.latvija.lv", validation_alias=_shared("JWT_ISSUER")
    )
    jwt_audience: str = Field(default="edu-eservices", validation_alias=_shared("JWT_AUDIENCE"))
    jwt_leeway_seconds: int = Field(default=30, validation_alias=_shared("JWT_LEEWAY_SECONDS"))
    pseudonym_key: SecretStr = Field(
        default=SecretStr("local-development-only-pseudonym-key"),
        validation_alias=_shared("PSEUDONYM_KEY"),
        description="HMAC key that turns personal codes into pseudonyms for logs, traces "
        "and lookups. Must be set to a secret in production.",
    )

    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    otel_traces_file: Path | None = Field(
        default=None,
        validation_alias=_shared("TRACES_FILE"),
        description="Also append finished spans as JSON lines to this file (edu traces reads it).",
    )
    log_level: str = Field(default="INFO", validation_alias=_shared("LOG_LEVEL"))

    outbox_poll_seconds: float = Field(default=0.5, validation_alias=_shared("OUTBOX_POLL_SECONDS"))
    outbox_relay_enabled: bool = Field(
        default=True, validation_alias=_shared("OUTBOX_RELAY_ENABLED")
    )
    consumer_max_attempts: int = Field(default=3, validation_alias=_shared("CONSUMER_MAX_ATTEMPTS"))
    consumer_retry_backoff_seconds: float = Field(
        default=0.2, validation_alias=_shared("CONSUMER_RETRY_BACKOFF_SECONDS")
    )
    consumers_enabled: bool = Field(default=True, validation_alias=_shared("CONSUMERS_ENABLED"))
    consumer_fetch_max_wait_ms: int = Field(
        default=100,
        ge=1,
        le=500,
        validation_alias=_shared("CONSUMER_FETCH_MAX_WAIT_MS"),
        description="How long a consumer's fetch may wait at the broker for records. Kafka "
        "answers as soon as a record arrives; the embedded Tansu answers only when the wait "
        "ends (measured: a record waits ~the whole wait, 215 ms p50 at 500), so the wait is "
        "each hop's latency there. 100: ~15 ms p50 per hop on Tansu, 10 idle fetches/s on Kafka.",
    )
    inbox_retention_days: float = Field(
        default=35,
        gt=0,
        validation_alias=_shared("INBOX_RETENTION_DAYS"),
        description="How long consumers remember applied event ids. Must exceed the longest "
        "Kafka retention (dead letters: 30 days), or a late redelivery could be applied twice.",
    )
    inbox_prune_interval_seconds: float = Field(
        default=3600, gt=0, validation_alias=_shared("INBOX_PRUNE_INTERVAL_SECONDS")
    )
    metrics_sample_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias=_shared("METRICS_SAMPLE_SECONDS"),
        description="How often outbox backlog, inbox size and consumer lag are measured "
        "for the metrics (a scrape reads the last sample).",
    )
    shutdown_step_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias=_shared("SHUTDOWN_STEP_TIMEOUT_SECONDS"),
        description="Longest each step of stopping (relay, Kafka consumers and producer, "
        "MongoDB client) may take; a step past it is abandoned and the stop reports it.",
    )
    consumer_batch_max_records: int = Field(
        default=200,
        ge=1,
        validation_alias=_shared("CONSUMER_BATCH_MAX_RECORDS"),
        description="Most records a batch consumer takes from Kafka at once (it takes what "
        "is there, without waiting for a batch to fill).",
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        service = getattr(cls, "SERVICE", None)
        if service is not None and not cls.model_config.get("env_prefix"):
            # Read by pydantic-settings when an instance is made, not at class creation.
            cls.model_config = {**cls.model_config, "env_prefix": env_prefix(service)}

    @property
    def service_name(self) -> str:
        return self.SERVICE.value

    @property
    def group_id(self) -> str:
        return self.consumer_group or self.service_name

    @property
    def jwks_path(self) -> Path:
        return self.jwt_jwks_file or self.data_dir / "keys" / "jwks.json"
