"""The rules of "My data" and of the eligibility check, free of I/O: every
function takes the register records it needs and the date it applies on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from edu_contracts.applications import ApplicantRole
from edu_contracts.documents import Language
from edu_contracts.my_data import (
    EducationDocumentEntry,
    InstitutionEntry,
    MyDataBlocks,
    PersonBlock,
    PreschoolQueueEntry,
    RepresentationBasis,
    ScholarshipEntry,
)
from edu_contracts.registry import IneligibilityReason
from edu_contracts.registry_api import (
    ELIGIBLE_PROGRAMMES,
    FounderType,
    InstitutionSummary,
    ResourceOffer,
    ResourceTargetGroup,
)

# The Riga date and the 18th birthday are shared by every service; re-exported
# because this service's layers ask the rules for them.
from edu_runtime.projection import project
from edu_runtime.riga import adulthood_date as adulthood_date  # noqa: PLC0414
from edu_runtime.riga import today_in_latvia as today_in_latvia  # noqa: PLC0414

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

NO_DATA_MESSAGE = {
    Language.LV: "Valsts izglītības informācijas sistēmā nav pieejama informācija par šo personu",
    Language.EN: "No information about this person is available in the "
    "State Education Information System",
}


# --- age and representation ---------------------------------------------------
# (the request date and the 18th birthday: ``edu_runtime.riga``, shared by all services)


def is_minor(birth: dt.date | None, on: dt.date) -> bool:
    """A minor until the 18th birthday. Unknown birth date → not provably a
    minor, so the stricter answer (no representation as a minor)."""
    return birth is not None and on < adulthood_date(birth)


def is_adult(birth: dt.date | None, on: dt.date) -> bool:
    return birth is not None and on >= adulthood_date(birth)


def representation_valid_until(
    rel: RepresentationRecord, represented_birth: dt.date | None
) -> dt.date | None:
    """Last day (inclusive) the relation lets the representative act, or None when open-ended."""
    end = rel.valid_to
    if rel.basis is RepresentationKind.MINOR_CHILD:
        if represented_birth is None:
            return rel.valid_from - dt.timedelta(days=1)  # never valid: see is_minor
        last_minor_day = adulthood_date(represented_birth) - dt.timedelta(days=1)
        end = last_minor_day if end is None else min(end, last_minor_day)
    return end


def representation_valid_on(
    rel: RepresentationRecord, represented_birth: dt.date | None, on: dt.date
) -> bool:
    if on < rel.valid_from:
        return False
    end = representation_valid_until(rel, represented_birth)
    return end is None or on <= end


_BASIS_PREFERENCE = (
    RepresentationKind.MINOR_CHILD,
    RepresentationKind.GUARDIANSHIP,
    RepresentationKind.CUSTODY,
)


def valid_basis(
    relations: Iterable[RepresentationRecord], represented_birth: dt.date | None, on: dt.date
) -> RepresentationRecord | None:
    """The relation that lets the representative act today (a parent who is
    also a custodian is shown as a parent), or None."""
    valid = [r for r in relations if representation_valid_on(r, represented_birth, on)]
    valid.sort(key=lambda r: _BASIS_PREFERENCE.index(r.basis))
    return valid[0] if valid else None


def basis_of(kind: RepresentationKind) -> RepresentationBasis:
    return RepresentationBasis(kind.value)


# --- periods --------------------------------------------------------------------


def current(start: dt.date, end: dt.date | None, on: dt.date) -> bool:
    return start <= on and (end is None or on <= end)


# --- "My data" blocks -------------------------------------------------------------


@dataclass(frozen=True)
class RegisterExtract:
    """Everything VIIS holds about one person, as read from the registers."""

    person: PersonRecord | None
    enrolments: Sequence[EnrolmentRecord]
    documents: Sequence[EducationDocumentRecord]
    scholarships: Sequence[ScholarshipRecord]
    preschool_queue: Sequence[PreschoolQueueRecord]
    institutions: Mapping[str, InstitutionRecord]


def _institution_name(institutions: Mapping[str, InstitutionRecord], institution_id: str) -> str:
    found = institutions.get(institution_id)
    return found.name if found else institution_id


def build_blocks(extract: RegisterExtract) -> MyDataBlocks:
    """The blocks of seeds part A step 4; a block with no data is None (absent)."""
    names = extract.institutions
    institutions = tuple(
        project(InstitutionEntry, e, institution_name=_institution_name(names, e.institution_id))
        for e in sorted(extract.enrolments, key=lambda e: e.enrolled_from, reverse=True)
    )
    documents = tuple(
        project(EducationDocumentEntry, d)
        for d in sorted(extract.documents, key=lambda d: d.issue_date, reverse=True)
    )
    scholarships = tuple(
        project(ScholarshipEntry, s, institution_name=_institution_name(names, s.institution_id))
        for s in sorted(extract.scholarships, key=lambda s: s.period_from, reverse=True)
    )
    queue = tuple(
        project(PreschoolQueueEntry, q, institution_name=_institution_name(names, q.institution_id))
        for q in sorted(extract.preschool_queue, key=lambda q: q.registered_on)
    )
    has_records = bool(institutions or documents or scholarships or queue)
    person = extract.person
    person_block = None
    if person is not None and (person.registered_in_viis or has_records):
        person_block = project(PersonBlock, person)
    return MyDataBlocks(
        person=person_block,
        institutions=institutions or None,
        documents=documents or None,
        scholarships=scholarships or None,
        preschool_queue=queue or None,
    )


def shown_blocks(blocks: MyDataBlocks) -> tuple[str, ...]:
    """Names of the blocks present, for the access log."""
    return tuple(name for name, value in blocks if value is not None)


def is_empty(blocks: MyDataBlocks) -> bool:
    return not shown_blocks(blocks)


# --- institutions ---------------------------------------------------------------


def eligible_for_applications(institution: InstitutionRecord) -> bool:
    """State or municipal, running at least one programme of seeds part B step 2."""
    return institution.founder_type in (FounderType.STATE, FounderType.MUNICIPAL) and any(
        p in ELIGIBLE_PROGRAMMES for p in institution.programme_types
    )


def summary(institution: InstitutionRecord) -> InstitutionSummary:
    return project(
        InstitutionSummary,
        institution,
        eligible_for_applications=eligible_for_applications(institution),
    )


# --- eligibility ----------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityFacts:
    """What the registers say about one application, read by the adapter."""

    role: ApplicantRole
    applicant_code: str
    learner_code: str
    institution_id: str
    resource_offer_id: str
    socially_supported: bool
    learner: PersonRecord | None
    relations: Sequence[RepresentationRecord]  # applicant → learner, any validity
    enrolments: Sequence[EnrolmentRecord]  # learner's, any institution and period
    employments: Sequence[EmploymentRecord]  # applicant's
    institution: InstitutionRecord | None
    offer: ResourceOfferRecord | None


@dataclass(frozen=True)
class Eligibility:
    reasons: tuple[IneligibilityReason, ...]
    learner_full_name: str | None
    institution_name: str | None
    resource_type: str | None

    @property
    def eligible(self) -> bool:
        return not self.reasons


def _who_reasons(facts: EligibilityFacts, on: dt.date) -> list[IneligibilityReason]:
    """Step 1: may this applicant apply for this learner, in this role."""
    reasons: list[IneligibilityReason] = []
    birth = facts.learner.birth_date if facts.learner else None
    if facts.role is ApplicantRole.PARENT_OR_GUARDIAN:
        if valid_basis(facts.relations, birth, on) is None:
            reasons.append(IneligibilityReason.NOT_REPRESENTED)
        if not is_minor(birth, on):
            reasons.append(IneligibilityReason.LEARNER_NOT_MINOR)
        return reasons
    if facts.learner_code != facts.applicant_code:
        reasons.append(IneligibilityReason.NOT_REPRESENTED)
    if facts.role is ApplicantRole.ADULT_LEARNER and not is_adult(birth, on):
        reasons.append(IneligibilityReason.APPLICANT_NOT_ADULT)
    if facts.role is ApplicantRole.EMPLOYEE and not any(
        e.institution_id == facts.institution_id and current(e.employed_from, e.employed_to, on)
        for e in facts.employments
    ):
        reasons.append(IneligibilityReason.NOT_EMPLOYED)
    return reasons


def _where_reasons(facts: EligibilityFacts, on: dt.date) -> list[IneligibilityReason]:
    """Step 2: the learner studies there, and the institution takes applications."""
    reasons: list[IneligibilityReason] = []
    if facts.role is not ApplicantRole.EMPLOYEE and not any(
        e.institution_id == facts.institution_id and current(e.enrolled_from, e.enrolled_to, on)
        for e in facts.enrolments
    ):
        reasons.append(IneligibilityReason.NOT_ENROLLED)
    institution = facts.institution
    if institution is None:
        reasons.append(IneligibilityReason.INSTITUTION_UNKNOWN)
        return reasons
    if not eligible_for_applications(institution):
        reasons.append(IneligibilityReason.INSTITUTION_NOT_ELIGIBLE)
    if not institution.accepting_applications:
        reasons.append(IneligibilityReason.INSTITUTION_NOT_ACCEPTING)
    return reasons


def _in_groups(facts: EligibilityFacts, groups: Sequence[str], on: dt.date) -> bool:
    return in_groups(facts.enrolments, facts.institution_id, groups, on)


def in_groups(
    enrolments: Iterable[EnrolmentRecord], institution_id: str, groups: Sequence[str], on: dt.date
) -> bool:
    """The learner studies now, at ``institution_id``, in one of ``groups``
    (a class like "6.b", or a programme's code or name; case ignored)."""
    wanted = {g.strip().casefold() for g in groups}
    for e in enrolments:
        if e.institution_id != institution_id:
            continue
        if not current(e.enrolled_from, e.enrolled_to, on):
            continue
        mine = {
            v.strip().casefold() for v in (e.class_group, e.programme_code, e.programme_name) if v
        }
        if mine & wanted:
            return True
    return False


def evaluate(facts: EligibilityFacts, on: dt.date) -> Eligibility:
    """Every rule of seeds part B steps 1 to 4; all failing reasons, not just the first."""
    reasons = _who_reasons(facts, on) + _where_reasons(facts, on)
    offer = facts.offer
    if offer is None or offer.institution_id != facts.institution_id:
        reasons.append(IneligibilityReason.RESOURCE_NOT_OFFERED)
        offer = None
    elif offer.target_group is ResourceTargetGroup.SOCIALLY_SUPPORTED and not (
        facts.socially_supported
    ):
        reasons.append(IneligibilityReason.TARGET_GROUP_MISMATCH)
    elif offer.for_groups and not _in_groups(facts, offer.for_groups, on):
        # A school's offer for some classes or programmes only (its lending settings).
        reasons.append(IneligibilityReason.RESOURCE_NOT_OFFERED)
    return Eligibility(
        reasons=tuple(reasons),
        learner_full_name=facts.learner.full_name if facts.learner else None,
        institution_name=facts.institution.name if facts.institution else None,
        resource_type=offer.resource_type if offer else None,
    )


def offered_to(
    offers: Iterable[ResourceOffer],
    enrolments: Iterable[EnrolmentRecord],
    institution_id: str,
    on: dt.date,
) -> tuple[ResourceOffer, ...]:
    """The offers a learner may get (wizard step 4): those for every learner and
    those for a class or programme the learner is in now, by the same rule the
    verification applies at submission."""
    mine = tuple(enrolments)
    return tuple(
        o for o in offers if not o.for_groups or in_groups(mine, institution_id, o.for_groups, on)
    )
