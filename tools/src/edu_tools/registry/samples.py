"""Ready-made identities found in the loaded registers (``edu registry sample``):
so a newcomer can mint a token for someone who really is a parent, a ward's
guardian, an adult learner, a teacher, or nobody VIIS knows."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from edu_registry_reader.domain import rules
from edu_registry_reader.domain.records import (
    EducationDocumentRecord,
    EmploymentRecord,
    EnrolmentRecord,
    InstitutionRecord,
    PersonRecord,
    PreschoolQueueRecord,
    RepresentationKind,
    RepresentationRecord,
    ResourceOfferRecord,
    ScholarshipRecord,
)
from pymongo.database import Database

Doc = dict[str, Any]
SCAN = 20_000  # how far to look; the generator puts every kind in the first families


class Finder:
    def __init__(self, db: Database[Doc], on: dt.date, near: Sequence[str] = ()) -> None:
        self.db = db
        self.on = on
        # Institutions to look at first (staff at the featured children's school).
        self.near = list(near)

    def person(self, code: str) -> PersonRecord | None:
        doc = self.db[PersonRecord.COLLECTION].find_one({"_id": code})
        return PersonRecord.from_doc(doc) if doc else None

    def institution(self, institution_id: str) -> InstitutionRecord | None:
        doc = self.db[InstitutionRecord.COLLECTION].find_one({"_id": institution_id})
        return InstitutionRecord.from_doc(doc) if doc else None

    def offers(self, institution_id: str) -> list[ResourceOfferRecord]:
        return [
            ResourceOfferRecord.from_doc(d)
            for d in self.db[ResourceOfferRecord.COLLECTION].find(
                {"institution_id": institution_id}
            )
        ]

    def open_school(self, learner: str) -> dict[str, Any] | None:
        """A current enrolment at an institution that takes applications and lends something."""
        for doc in self.db[EnrolmentRecord.COLLECTION].find({"learner_code": learner}):
            e = EnrolmentRecord.from_doc(doc)
            if not rules.current(e.enrolled_from, e.enrolled_to, self.on):
                continue
            institution = self.institution(e.institution_id)
            offers = self.offers(e.institution_id)
            if (
                institution
                and offers
                and institution.accepting_applications
                and rules.eligible_for_applications(institution)
            ):
                return {
                    "institution_id": institution.institution_id,
                    "institution_name": institution.name,
                    "class_group": e.class_group,
                    "offers": [
                        {"offer_id": o.offer_id, "target_group": o.target_group.value}
                        for o in offers
                    ],
                }
        return None

    def has_data(self, code: str) -> bool:
        return any(
            self.db[model.COLLECTION].find_one({field: code}, {"_id": 1}) is not None
            for model, field in (
                (EnrolmentRecord, "learner_code"),
                (EducationDocumentRecord, "holder_code"),
                (ScholarshipRecord, "learner_code"),
                (PreschoolQueueRecord, "child_code"),
            )
        )


def _who(person: PersonRecord) -> dict[str, Any]:
    return {
        "personal_code": person.personal_code,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
    }


def _with_token_hint(found: dict[str, Any]) -> dict[str, Any]:
    found["token"] = (
        f"edu token --sub {found['personal_code']} "
        f"--given-name '{found['given_name']}' --family-name '{found['family_name']}'"
    )
    return found


def _representative(
    f: Finder, kind: RepresentationKind, *, valid: bool, need_school: bool
) -> dict[str, Any] | None:
    cursor = f.db[RepresentationRecord.COLLECTION].find({"basis": kind.value}).limit(SCAN)
    for doc in cursor:
        rel = RepresentationRecord.from_doc(doc)
        ward = f.person(rel.represented_code)
        holder = f.person(rel.representative_code)
        if ward is None or holder is None:
            continue
        if rules.representation_valid_on(rel, ward.birth_date, f.on) is not valid:
            continue
        school = f.open_school(ward.personal_code)
        if need_school and school is None:
            continue
        return _with_token_hint(
            {
                **_who(holder),
                "basis": kind.value,
                "valid_until": (
                    v.isoformat()
                    if (v := rules.representation_valid_until(rel, ward.birth_date))
                    else None
                ),
                "represented": [{**_who(ward), "school": school}],
            }
        )
    return None


def parent_with_minor(f: Finder) -> dict[str, Any] | None:
    found = _representative(f, RepresentationKind.MINOR_CHILD, valid=True, need_school=True)
    if found is None:
        return None
    # Every child this parent represents today, not just the first one found.
    children = []
    for doc in f.db[RepresentationRecord.COLLECTION].find(
        {"representative_code": found["personal_code"]}
    ):
        rel = RepresentationRecord.from_doc(doc)
        child = f.person(rel.represented_code)
        if child and rules.representation_valid_on(rel, child.birth_date, f.on):
            children.append({**_who(child), "school": f.open_school(child.personal_code)})
    found["represented"] = children
    return found


def adult_learner(f: Finder) -> dict[str, Any] | None:
    for doc in f.db[EnrolmentRecord.COLLECTION].find().limit(SCAN * 5):
        e = EnrolmentRecord.from_doc(doc)
        person = f.person(e.learner_code)
        if person is None or not rules.is_adult(person.birth_date, f.on):
            continue
        school = f.open_school(person.personal_code)
        if school is not None:
            return _with_token_hint({**_who(person), "school": school})
    return None


def staff(f: Finder) -> dict[str, Any] | None:
    jobs = f.db[EmploymentRecord.COLLECTION]
    nearby: Iterable[Doc] = jobs.find({"institution_id": {"$in": f.near}}) if f.near else ()
    for doc in itertools.chain(nearby, jobs.find().limit(SCAN)):
        job = EmploymentRecord.from_doc(doc)
        institution = f.institution(job.institution_id)
        person = f.person(job.person_code)
        if (
            person
            and institution
            and rules.current(job.employed_from, job.employed_to, f.on)
            and institution.accepting_applications
            and rules.eligible_for_applications(institution)
            and f.offers(institution.institution_id)
        ):
            found = _with_token_hint({**_who(person), "institution_id": job.institution_id})
            found["institution_name"] = institution.name
            found["offers"] = [o.offer_id for o in f.offers(institution.institution_id)]
            found["staff_token"] = (
                f"edu token --sub {person.personal_code} --role staff "
                f"--institution {job.institution_id}"
            )
            return found
    return None


def no_data(f: Finder) -> dict[str, Any] | None:
    query = {"registered_in_viis": False}
    for doc in f.db[PersonRecord.COLLECTION].find(query).limit(SCAN):
        person = PersonRecord.from_doc(doc)
        if not f.has_data(person.personal_code):
            return _with_token_hint(_who(person))
    return None


KINDS: dict[str, Callable[[Finder], dict[str, Any] | None]] = {
    "parent-with-minor": parent_with_minor,
    "adult-learner": adult_learner,
    "no-data": no_data,
    "staff": staff,
    "custody": lambda f: _representative(
        f, RepresentationKind.CUSTODY, valid=True, need_school=False
    ),
    "guardianship": lambda f: _representative(
        f, RepresentationKind.GUARDIANSHIP, valid=True, need_school=False
    ),
    "expired-guardianship": lambda f: _representative(
        f, RepresentationKind.GUARDIANSHIP, valid=False, need_school=False
    ),
    "parent-of-adult": lambda f: _representative(
        f, RepresentationKind.MINOR_CHILD, valid=False, need_school=False
    ),
}


def find_sample(
    db: Database[Doc], kind: str, on: dt.date, *, near: Sequence[str] = ()
) -> dict[str, Any] | None:
    """The first person of ``kind``; a staff member at one of ``near``'s
    institutions when there is one."""
    return KINDS[kind](Finder(db, on, near))


def schools_of(found: dict[str, Any]) -> list[str]:
    """The institutions a featured person's learners attend (their own school
    for an adult learner), where an application of theirs would be decided."""
    schools = [r.get("school") for r in found.get("represented", [])] + [found.get("school")]
    return [s["institution_id"] for s in schools if s]
