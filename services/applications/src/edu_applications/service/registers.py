"""What the registers (through registry-reader) tell the use cases, in the
domain's own terms: the wire formats stop here."""

from __future__ import annotations

from edu_contracts.applications import ApplicantRole
from edu_contracts.my_data import RepresentationBasis
from edu_contracts.registry import EligibilityVerdictPayload
from edu_runtime.auth import Identity

from edu_applications.adapters.upstream import RegistryLookups
from edu_applications.domain.model import Offer, Person, RegisteredInstitution, Verdict

REPRESENTATION_BASES = {
    RepresentationBasis.MINOR_CHILD,
    RepresentationBasis.CUSTODY,
    RepresentationBasis.GUARDIANSHIP,
}


class Registers:
    def __init__(self, lookups: RegistryLookups) -> None:
        self._lookups = lookups

    async def represented_learner(self, identity: Identity, code: str) -> Person | None:
        """The person with ``code`` if the caller represents them today."""
        represented = await self._lookups.represented_persons(identity.token)
        match = next(
            (
                p
                for p in represented.items
                if p.personal_code == code and p.basis in REPRESENTATION_BASES
            ),
            None,
        )
        if match is None:
            return None
        return Person(personal_code=code, full_name=f"{match.given_name} {match.family_name}")

    async def institution_ids(
        self, identity: Identity, role: ApplicantRole, learner_code: str
    ) -> dict[str, str | None] | None:
        """Where the learner studies (an employee: works) now, each with the
        learner's class there; None if the registers do not show the caller as
        the learner's representative."""
        if role is ApplicantRole.EMPLOYEE:
            found = await self._lookups.employee_institutions(identity.token)
        else:
            found = await self._lookups.learner_institutions(learner_code, identity.token)
        if found is None:
            return None
        return {i.institution.institution_id: i.class_group for i in found.items}

    async def institution(
        self, identity: Identity, institution_id: str
    ) -> RegisteredInstitution | None:
        found = await self._lookups.institution(institution_id, identity.token)
        if found is None:
            return None
        return RegisteredInstitution.model_validate(
            found.model_dump(include=set(RegisteredInstitution.model_fields))
        )

    async def offers(self, identity: Identity, institution_id: str) -> list[Offer]:
        found = await self._lookups.offers(institution_id, identity.token)
        return [
            Offer.model_validate(o.model_dump(include=set(Offer.model_fields)))
            for o in (found.items if found else ())
        ]


def verdict_of(payload: EligibilityVerdictPayload) -> Verdict:
    return Verdict(
        request_event_id=payload.request_event_id,
        eligible=payload.eligible,
        reasons=tuple(r.value for r in payload.reasons),
        learner_full_name=payload.learner_full_name,
    )
