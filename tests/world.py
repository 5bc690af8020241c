"""Builds small, isolated worlds in the registry replica for cross-service
tests: every call makes new people and institutions with unique ids, so tests
sharing one stack never see each other's data. Records are the registry's own
import records, inserted into its database as its importer would."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from edu_contracts.registry_api import FounderType, ProgrammeType, ResourceTargetGroup
from edu_registry_reader.domain.records import (
    EmploymentRecord,
    EnrolmentRecord,
    InstitutionRecord,
    PersonRecord,
    Record,
    RepresentationKind,
    RepresentationRecord,
    RepresentationSource,
    ResourceOfferRecord,
)
from edu_tools.personal_codes import UniqueCodes

_codes = UniqueCodes(start=random.Random(20261123).randint(0, 500))


def valid_code(birth: dt.date) -> str:
    """A valid personal code not handed out before in this test session."""
    return _codes.old(birth)


def years_ago(years: int, today: dt.date | None = None, days: int = 0) -> dt.date:
    today = today or dt.date.today()
    return dt.date(today.year - years, today.month, min(today.day, 28)) - dt.timedelta(days=days)


@dataclass
class Person:
    code: str
    given_name: str
    family_name: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class World:
    parent: Person
    child: Person
    adult_learner: Person
    employee: Person
    stranger: Person
    institution_id: str
    other_institution_id: str
    closed_institution_id: str
    laptop_offer: str
    tablet_offer: str  # socially supported learners only
    records: list[Record] = field(default_factory=list)


def build_world() -> World:
    tag = uuid.uuid4().hex[:6].upper()
    today = dt.date.today()

    def person(given: str, family: str, born: dt.date) -> Person:
        return Person(valid_code(born), given, family)

    parent = person("Līga", "Bērziņa", years_ago(41))
    child = person("Jānis", "Bērziņš", years_ago(12))
    adult = person("Ģirts", "Ķēniņš", years_ago(23))
    employee = person("Ūna", "Šķēle", years_ago(35))
    stranger = person("Ņina", "Ļaudaka", years_ago(50))
    school, other, closed = f"SCH-{tag}", f"OTH-{tag}", f"CLS-{tag}"
    laptop, tablet = f"{school}-LAPTOP", f"{school}-TABLET"
    records: list[Record] = [
        PersonRecord(personal_code=p.code, given_name=p.given_name, family_name=p.family_name)
        for p in (parent, child, adult, employee, stranger)
    ]
    records += [
        RepresentationRecord(
            representative_code=parent.code,
            represented_code=child.code,
            basis=RepresentationKind.MINOR_CHILD,
            source=RepresentationSource.POPULATION_REGISTER,
            valid_from=years_ago(12),
        ),
        InstitutionRecord(
            institution_id=school,
            name=f"Rīgas {tag} vidusskola",
            registration_number=f"90000{tag}",
            address="Skolas iela 1, Rīga",
            founder_type=FounderType.MUNICIPAL,
            programme_types=(ProgrammeType.GENERAL_BASIC, ProgrammeType.GENERAL_SECONDARY),
            accepting_applications=True,
        ),
        InstitutionRecord(
            institution_id=other,
            name=f"Valmieras {tag} tehnikums",
            founder_type=FounderType.STATE,
            programme_types=(ProgrammeType.VOCATIONAL_SECONDARY,),
            accepting_applications=True,
        ),
        InstitutionRecord(
            institution_id=closed,
            name=f"Cēsu {tag} pamatskola",
            founder_type=FounderType.MUNICIPAL,
            programme_types=(ProgrammeType.GENERAL_BASIC,),
            accepting_applications=False,
        ),
        EnrolmentRecord(
            learner_code=child.code,
            institution_id=school,
            programme_name="Pamatizglītība",
            programme_type=ProgrammeType.GENERAL_BASIC,
            class_group="6.b",
            enrolled_from=today - dt.timedelta(days=400),
        ),
        EnrolmentRecord(
            learner_code=child.code,
            institution_id=closed,
            programme_name="Interešu izglītība",
            programme_type=ProgrammeType.GENERAL_BASIC,
            class_group="6",
            enrolled_from=today - dt.timedelta(days=400),
        ),
        EnrolmentRecord(
            learner_code=adult.code,
            institution_id=other,
            programme_name="Datorsistēmas",
            programme_type=ProgrammeType.VOCATIONAL_SECONDARY,
            class_group="DS-2",
            enrolled_from=today - dt.timedelta(days=400),
        ),
        EmploymentRecord(
            person_code=employee.code,
            institution_id=school,
            position="Skolotāja",
            employed_from=today - dt.timedelta(days=900),
        ),
        ResourceOfferRecord(
            offer_id=laptop,
            institution_id=school,
            resource_type="laptop",
            description="Klēpjdators mācībām",
            target_group=ResourceTargetGroup.EVERYONE,
        ),
        ResourceOfferRecord(
            offer_id=tablet,
            institution_id=school,
            resource_type="tablet",
            description="Planšetdators",
            target_group=ResourceTargetGroup.SOCIALLY_SUPPORTED,
        ),
        ResourceOfferRecord(
            offer_id=f"{other}-LAPTOP",
            institution_id=other,
            resource_type="laptop",
            description="Klēpjdators",
            target_group=ResourceTargetGroup.EVERYONE,
        ),
    ]
    return World(
        parent, child, adult, employee, stranger, school, other, closed, laptop, tablet, records
    )


async def load_world(registry_db: Any, world: World) -> None:
    for record in world.records:
        await registry_db[record.COLLECTION].insert_one(record.to_doc())
