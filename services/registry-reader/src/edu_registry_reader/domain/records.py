"""Records of the VIIS registers this service replicates.

Each model is both what is stored (one MongoDB document per record, dates as
ISO strings) and one line of the JSON Lines import format (README, "Import
format"): an export is validated record by record against exactly these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Self

from edu_contracts.personal_code import PersonalCode, birth_date_of
from edu_contracts.registry_api import (
    FounderType,
    ProgrammeType,
    ResourceOffer,
    ResourceTargetGroup,
)
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    COLLECTION: ClassVar[str]
    # The record's period (its start and end fields): an end never before the start.
    PERIOD: ClassVar[tuple[str, str] | None] = None
    # The field naming the person the record is about, for the records that
    # make up a person's read model (None: not one of those).
    SUBJECT: ClassVar[str | None] = None

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.PERIOD is not None:
            start, end = (getattr(self, name) for name in self.PERIOD)
            if end is not None and end < start:
                raise ValueError("the period ends before it starts")
        return self

    def subject_code(self) -> str | None:
        """Whose read model the record belongs to."""
        return None if self.SUBJECT is None else str(getattr(self, self.SUBJECT))

    def record_id(self) -> str:
        """The MongoDB ``_id``: the record's own id, or a hash of its content so
        that importing the same export twice does not duplicate it."""
        own = getattr(self, "id", None)
        if isinstance(own, str) and own:
            return own
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def to_doc(self) -> dict[str, Any]:
        doc = self.model_dump(mode="json", exclude={"id"} if hasattr(self, "id") else None)
        doc["_id"] = self.record_id()
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        values = {k: v for k, v in doc.items() if k != "_id"}
        if "id" in cls.model_fields:
            values["id"] = doc["_id"]
        return cls.model_validate(values)


class PersonRecord(Record):
    """A person as VIIS knows them from the Population Register."""

    COLLECTION: ClassVar[str] = "persons"
    SUBJECT = "personal_code"

    personal_code: PersonalCode
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date | None = None
    registered_in_viis: bool = Field(
        default=True,
        description="The person is in the VIIS person register (learner, graduate, "
        "employee, queue). False for people known only through a representation.",
    )

    @model_validator(mode="after")
    def _birth_date_matches_code(self) -> Self:
        encoded = birth_date_of(self.personal_code)
        if encoded is not None and self.birth_date is not None and encoded != self.birth_date:
            raise ValueError("birth_date differs from the date in the personal code")
        if encoded is not None and self.birth_date is None:
            object.__setattr__(self, "birth_date", encoded)
        return self

    def record_id(self) -> str:
        return self.personal_code

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class RepresentationKind(StrEnum):
    """RepresentationBasis without ``self``."""

    MINOR_CHILD = "minor_child"
    CUSTODY = "custody"
    GUARDIANSHIP = "guardianship"


class RepresentationSource(StrEnum):
    POPULATION_REGISTER = "population_register"  # parent and child
    ORPHANS_COURT = "orphans_court"  # bāriņtiesa: custody and guardianship


class RepresentationRecord(Record):
    """Who may act for whom. Parent-child links come from the Population
    Register and are valid while the child is a minor; custody and guardianship
    come from the Orphan's Court with their own validity period (inclusive)."""

    COLLECTION: ClassVar[str] = "representations"
    SUBJECT = "represented_code"
    PERIOD = ("valid_from", "valid_to")

    id: str | None = None
    representative_code: PersonalCode
    represented_code: PersonalCode
    basis: RepresentationKind
    source: RepresentationSource
    valid_from: dt.date
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.representative_code == self.represented_code:
            raise ValueError("a person cannot represent themself")
        return self


class InstitutionRecord(Record):
    COLLECTION: ClassVar[str] = "institutions"

    institution_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1)
    registration_number: str | None = None
    address: str | None = None
    founder_type: FounderType
    programme_types: tuple[ProgrammeType, ...] = Field(min_length=1)
    accepting_applications: bool

    def record_id(self) -> str:
        return self.institution_id


class EnrolmentRecord(Record):
    COLLECTION: ClassVar[str] = "enrolments"
    SUBJECT = "learner_code"
    PERIOD = ("enrolled_from", "enrolled_to")

    id: str | None = None
    learner_code: PersonalCode
    institution_id: str = Field(min_length=1)
    programme_code: str | None = None
    programme_name: str | None = None
    programme_type: ProgrammeType | None = None
    class_group: str | None = None
    enrolled_from: dt.date
    enrolled_to: dt.date | None = None


class EmploymentRecord(Record):
    COLLECTION: ClassVar[str] = "employees"
    PERIOD = ("employed_from", "employed_to")

    id: str | None = None
    person_code: PersonalCode
    institution_id: str = Field(min_length=1)
    position: str | None = None
    employed_from: dt.date
    employed_to: dt.date | None = None


class EducationDocumentRecord(Record):
    COLLECTION: ClassVar[str] = "education_documents"
    SUBJECT = "holder_code"

    id: str | None = None
    holder_code: PersonalCode
    document_type: str = Field(min_length=1)
    series_and_number: str = Field(min_length=1)
    issue_date: dt.date
    institution_id: str | None = None
    institution_name: str = Field(
        min_length=1, description="As printed on the document (the school may have closed)."
    )
    programme_name: str | None = None
    qualification: str | None = None


class ScholarshipRecord(Record):
    COLLECTION: ClassVar[str] = "scholarships"
    SUBJECT = "learner_code"
    PERIOD = ("period_from", "period_to")

    id: str | None = None
    learner_code: PersonalCode
    institution_id: str = Field(min_length=1)
    scholarship_type: str = Field(min_length=1)
    amount_eur: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    period_from: dt.date
    period_to: dt.date | None = None


class PreschoolQueueRecord(Record):
    COLLECTION: ClassVar[str] = "preschool_queues"
    SUBJECT = "child_code"

    id: str | None = None
    child_code: PersonalCode
    institution_id: str = Field(min_length=1)
    registered_on: dt.date
    desired_start_date: dt.date
    position: int = Field(ge=1)


class ResourceOfferRecord(Record):
    COLLECTION: ClassVar[str] = "resource_offers"

    offer_id: str = Field(min_length=1, max_length=80)
    institution_id: str = Field(min_length=1)
    resource_type: str = Field(min_length=1)
    description: str
    target_group: ResourceTargetGroup
    for_groups: tuple[str, ...] = ()  # classes or programmes it is for; empty: every learner

    def record_id(self) -> str:
        return self.offer_id

    def to_contract(self) -> ResourceOffer:
        return ResourceOffer.model_validate(self.model_dump())


REGISTERS: dict[str, type[Record]] = {
    cls.COLLECTION: cls
    for cls in (
        PersonRecord,
        RepresentationRecord,
        InstitutionRecord,
        EnrolmentRecord,
        EmploymentRecord,
        EducationDocumentRecord,
        ScholarshipRecord,
        PreschoolQueueRecord,
        ResourceOfferRecord,
    )
}
"""Collection name → record model; ``<collection>.jsonl`` is its import file."""

PERSONAL: dict[type[Record], str] = {
    model: "_id" if model is PersonRecord else model.SUBJECT
    for model in REGISTERS.values()
    if model.SUBJECT is not None
}
"""The registers a person's read model is built from, each with the stored
field naming the person (a person's own record is stored under its code)."""

AT_INSTITUTION = (EnrolmentRecord, ScholarshipRecord, PreschoolQueueRecord)
"""A person's records at an institution: their read model shows its name."""
