"""The application aggregate (I/O-free). Extended by the workflow issue."""

from __future__ import annotations

import datetime as dt
from uuid import UUID, uuid4

from edu_contracts.applications import ActorRole, ApplicantRole, ApplicationStatus
from edu_contracts.personal_code import PersonalCode
from pydantic import BaseModel, ConfigDict, Field


class Transition(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: dt.datetime
    actor: str
    actor_role: ActorRole
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    reason: str | None = None


class Application(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID = Field(default_factory=uuid4)
    version: int = 1
    status: ApplicationStatus = ApplicationStatus.DRAFT
    applicant_code: PersonalCode
    role: ApplicantRole
    learner_code: PersonalCode
    created_at: dt.datetime
    updated_at: dt.datetime
    history: tuple[Transition, ...] = ()


def start_draft(
    *, applicant_code: str, role: ApplicantRole, learner_code: str | None, now: dt.datetime
) -> Application:
    """Step 1 (profile). Adults and employees apply for themselves."""
    learner = learner_code if role is ApplicantRole.PARENT_OR_GUARDIAN else applicant_code
    return Application(
        applicant_code=applicant_code,
        role=role,
        learner_code=learner or applicant_code,
        created_at=now,
        updated_at=now,
        history=(
            Transition(
                at=now,
                actor=applicant_code,
                actor_role=ActorRole.CITIZEN,
                from_status=None,
                to_status=ApplicationStatus.DRAFT,
            ),
        ),
    )
