"""Events registry-reader publishes on ``edu.registry.verdicts.v1``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from edu_contracts import topics
from edu_contracts.envelope import Contract, Envelope


class IneligibilityReason(StrEnum):
    NOT_REPRESENTED = "not_represented"  # caller does not (or no longer) represent the learner
    LEARNER_NOT_MINOR = "learner_not_minor"
    APPLICANT_NOT_ADULT = "applicant_not_adult"
    NOT_ENROLLED = "not_enrolled"
    NOT_EMPLOYED = "not_employed"
    INSTITUTION_UNKNOWN = "institution_unknown"
    INSTITUTION_NOT_ELIGIBLE = "institution_not_eligible"  # founder or programme type
    INSTITUTION_NOT_ACCEPTING = "institution_not_accepting"
    RESOURCE_NOT_OFFERED = "resource_not_offered"
    TARGET_GROUP_MISMATCH = "target_group_mismatch"


class EligibilityVerdictPayload(Contract):
    application_id: UUID
    request_event_id: UUID
    eligible: bool
    reasons: tuple[IneligibilityReason, ...] = ()
    learner_full_name: str | None = Field(
        default=None, description="From the register, so staff can search by name."
    )
    institution_name: str | None = None
    resource_type: str | None = None
    checked_at: AwareDatetime


class EligibilityVerdict(Envelope):
    TOPIC: ClassVar[str] = topics.REGISTRY_VERDICTS
    event_type: Literal["registry.eligibility-verdict.v1"] = "registry.eligibility-verdict.v1"
    schema_version: Literal[1] = 1
    payload: EligibilityVerdictPayload

    def partition_key(self) -> str:
        return str(self.payload.application_id)


RegistryEvent = Annotated[EligibilityVerdict, Field(discriminator="event_type")]
