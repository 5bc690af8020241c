"""Settings of the retention service (environment prefix ``EDU_RETENTION_``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic import Field

from edu_retention.domain.model import RetryPolicy


class RetentionSettings(ServiceSettings):
    SERVICE: ClassVar[ServiceName] = ServiceName.RETENTION

    http_port: int = 8104
    mongo_db: str = "edu_retention"

    sweeper_enabled: bool = Field(
        default=True, description="Run the sweeper in this process (on start and on an interval)."
    )
    sweep_interval_seconds: float = Field(default=300.0, gt=0)
    sweep_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Deadlines ordered per transaction."
    )
    retry_initial_seconds: float = Field(
        default=3600.0, gt=0, description="Wait before ordering an unconfirmed purge again."
    )
    retry_max_seconds: float = Field(
        default=86_400.0, gt=0, description="Cap of the doubling wait between orders."
    )

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            initial=dt.timedelta(seconds=self.retry_initial_seconds),
            maximum=dt.timedelta(seconds=self.retry_max_seconds),
        )
