"""Kafka consumer of registry-reader: verification requests of submitted
applications, in batches (see ``edu_runtime.batches``), handed to the
eligibility use case (``edu_registry_reader.eligibility``)."""

from __future__ import annotations

from edu_contracts import topics
from edu_contracts.applications import ApplicationEvent
from edu_runtime.runtime import ServiceRuntime

from edu_registry_reader.eligibility import CONSUMER, EligibilityVerification


def register_consumers(runtime: ServiceRuntime, eligibility: EligibilityVerification) -> None:
    runtime.batch_subscriber(
        topics.APPLICATION_EVENTS, CONSUMER, ApplicationEvent, eligibility.verify
    )
