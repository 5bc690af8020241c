"""HTTP contract of registry-reader's lookups, used by the application wizard.

All paths need the caller's gateway JWT (applications forwards the citizen's
token), so registry-reader itself decides what the caller may see.

- ``GET /api/v1/represented-persons`` → ``RepresentedPersons``
- ``POST /api/v1/lookups/learner-institutions`` with ``InstitutionsOfLearner``
  (``{"learner_code": …}``, null: the caller) → ``LearnerInstitutions``
  (the caller themself or a person they represent now; 403 ``not_represented``)
- ``GET /api/v1/lookups/employees/me/institutions`` → ``LearnerInstitutions``
  (institutions where the caller is employed now; learner_code = caller)
- ``GET /api/v1/lookups/institutions/{id}`` → ``InstitutionSummary`` (404 ``institution_not_found``)
- ``GET /api/v1/lookups/institutions/{id}/resource-offers`` → ``ResourceOffers``
- ``POST /api/v1/lookups/institutions/{id}/resource-offers/for-learner`` with
  ``OffersForLearner`` → ``ResourceOffers`` (those the learner may get)
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from edu_contracts.envelope import Contract
from edu_contracts.http import RequestBody
from edu_contracts.my_data import RepresentationBasis
from edu_contracts.personal_code import PersonalCode, PersonalCodeInput


class RepresentedPerson(Contract):
    personal_code: PersonalCode
    given_name: str
    family_name: str
    birth_date: dt.date | None = None
    basis: RepresentationBasis
    valid_until: dt.date | None = None


class RepresentedPersons(Contract):
    items: tuple[RepresentedPerson, ...]


class FounderType(StrEnum):
    STATE = "state"
    MUNICIPAL = "municipal"
    PRIVATE = "private"


class ProgrammeType(StrEnum):
    PRESCHOOL = "preschool"
    GENERAL_BASIC = "general_basic"
    GENERAL_SECONDARY = "general_secondary"
    VOCATIONAL_BASIC = "vocational_basic"
    VOCATIONAL_SECONDARY = "vocational_secondary"
    TRADE = "trade"  # arodizglītība
    SPECIAL = "special"  # other programmes listed in point 5 of the Cabinet regulation
    INTEREST = "interest"  # interest education: not eligible for resource applications
    HIGHER = "higher"  # not eligible


ELIGIBLE_PROGRAMMES: frozenset[ProgrammeType] = frozenset(
    {
        ProgrammeType.GENERAL_BASIC,
        ProgrammeType.GENERAL_SECONDARY,
        ProgrammeType.VOCATIONAL_BASIC,
        ProgrammeType.VOCATIONAL_SECONDARY,
        ProgrammeType.TRADE,
        ProgrammeType.SPECIAL,
    }
)


class InstitutionSummary(Contract):
    institution_id: str
    name: str
    registration_number: str | None = None
    address: str | None = None
    founder_type: FounderType
    programme_types: tuple[ProgrammeType, ...]
    accepting_applications: bool
    eligible_for_applications: bool  # state/municipal and runs an eligible programme


class LearnerInstitution(Contract):
    institution: InstitutionSummary
    programme_name: str | None = None
    class_group: str | None = None


class LearnerInstitutions(Contract):
    learner_code: PersonalCode
    items: tuple[LearnerInstitution, ...]


class ResourceTargetGroup(StrEnum):
    EVERYONE = "everyone"
    SOCIALLY_SUPPORTED = "socially_supported"


class ResourceOffer(Contract):
    offer_id: str
    institution_id: str
    resource_type: str  # e.g. laptop, tablet
    description: str
    target_group: ResourceTargetGroup
    for_groups: tuple[str, ...] = ()  # classes or programmes it is for; empty: every learner


class ForLearner(RequestBody):
    """Which learner a lookup is about: the personal code in the body, never in
    a URL (URLs end up in proxies' and access logs)."""

    learner_code: PersonalCodeInput | None = Field(
        default=None,
        description="The learner: the caller or a person they represent; none: the caller.",
    )


class OffersForLearner(ForLearner):
    """Whose offers (step 4)."""


class InstitutionsOfLearner(ForLearner):
    """Whose current enrolments (step 2)."""


class ResourceOffers(Contract):
    institution_id: str
    items: tuple[ResourceOffer, ...]
