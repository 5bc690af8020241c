"""Each institution's lending settings, published by applications (their owner)
on ``edu.lending.settings.v1`` and applied by registry-reader, whose wizard
lookups and eligibility verdicts honour them.

One event carries an institution's whole settings (a snapshot, not a diff):
consumers keep the highest ``version`` and ignore older or repeated ones, so
delivery order and redelivery do not matter. No personal data: who changed
the settings stays in the owner's audit trail; ``contact_email`` is the
institution's own address (notifications sends it the daily digest of new
applications).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from edu_contracts import topics
from edu_contracts.envelope import Contract, Envelope
from edu_contracts.registry_api import ResourceTargetGroup

OFFER_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,80}$"


class LendingResourceType(StrEnum):
    LAPTOP = "laptop"
    TABLET = "tablet"
    OTHER = "other"


class LendingUse(StrEnum):
    """How the institution uses a resource: only individual-use resources can
    be applied for (wizard step 4); on-premises ones are listed for the school only."""

    INDIVIDUAL = "individual"  # lent for individual use outside the institution
    ON_PREMISES = "on_premises"  # used only on the institution's premises


class LendingOffer(Contract):
    offer_id: str = Field(pattern=OFFER_ID_PATTERN)
    resource_type: LendingResourceType
    description: str = Field(min_length=1, max_length=200, description="Description or model.")
    target_group: ResourceTargetGroup
    use: LendingUse
    for_groups: tuple[Annotated[str, Field(min_length=1, max_length=60)], ...] = Field(
        default=(),
        max_length=50,
        description="Programmes or classes the resource is for; empty means every learner.",
    )
    items_available: int | None = Field(default=None, ge=0, le=100_000)


class LendingSettingsPayload(Contract):
    institution_id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1, description="Settings version after the change; orders changes.")
    accepting_applications: bool
    accepting_from: dt.date | None = Field(
        default=None, description="First day applications are accepted (inclusive), if limited."
    )
    accepting_to: dt.date | None = Field(
        default=None, description="Last day applications are accepted (inclusive), if limited."
    )
    offers: tuple[LendingOffer, ...] = Field(default=(), max_length=100)
    contact_email: str | None = Field(
        default=None,
        max_length=254,
        description="The institution's address for the daily digest of new applications "
        "(e.g. pieteikumi@skola.lv); absent means no digest, and on events published "
        "before the field existed.",
    )
    changed_at: AwareDatetime

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.accepting_from and self.accepting_to and self.accepting_to < self.accepting_from:
            raise ValueError("accepting_to is before accepting_from")
        return self


class LendingSettingsChanged(Envelope):
    """An institution's lending settings as they are after a change."""

    TOPIC: ClassVar[str] = topics.LENDING_SETTINGS
    event_type: Literal["lending.settings-changed.v1"] = "lending.settings-changed.v1"
    schema_version: Literal[1] = 1
    payload: LendingSettingsPayload

    def partition_key(self) -> str:
        return self.payload.institution_id


LendingEvent = Annotated[LendingSettingsChanged, Field(discriminator="event_type")]


def accepting_on(settings: LendingSettingsPayload, on: dt.date) -> bool:
    """Whether the settings accept applications on ``on`` (a shape rule: the
    period is inclusive at both ends)."""
    if not settings.accepting_applications:
        return False
    if settings.accepting_from and on < settings.accepting_from:
        return False
    return not (settings.accepting_to and on > settings.accepting_to)
