"""registry-reader's API: lookups for the application wizard and the staff
pages, and "My data in the education registers"."""

from __future__ import annotations

from edu_contracts.documents_api import DocumentRequested
from edu_contracts.my_data import AccessLogPage, MyDataAnswer, WhoseData
from edu_contracts.registry_api import (
    InstitutionsOfLearner,
    InstitutionSummary,
    LearnerInstitutions,
    OffersForLearner,
    RepresentedPersons,
    ResourceOffers,
)
from pydantic import BaseModel

from edu_runtime.service_client import ServiceClient

API = "/api/v1"


class _Empty(BaseModel):
    """A POST without input (``{}``)."""


class RegistryClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    async def represented_persons(self) -> RepresentedPersons:
        return await self.service.read("GET", f"{API}/represented-persons", RepresentedPersons)

    async def learner_institutions(self, learner_code: str | None) -> LearnerInstitutions | None:
        """The learner's current enrolments (the caller's own without a code);
        None when the registers do not know the learner."""
        return await self.service.read_or_none(
            "POST",
            f"{API}/lookups/learner-institutions",
            LearnerInstitutions,
            body=InstitutionsOfLearner(learner_code=learner_code),
        )

    async def employee_institutions(self) -> LearnerInstitutions | None:
        """The institutions the caller works at."""
        return await self.service.read_or_none(
            "GET", f"{API}/lookups/employees/me/institutions", LearnerInstitutions
        )

    async def institution(self, institution_id: str) -> InstitutionSummary | None:
        return await self.service.read_or_none(
            "GET", f"{API}/lookups/institutions/{institution_id}", InstitutionSummary
        )

    async def offers(self, institution_id: str) -> ResourceOffers | None:
        """Every offer of the institution."""
        return await self.service.read_or_none(
            "GET", f"{API}/lookups/institutions/{institution_id}/resource-offers", ResourceOffers
        )

    async def offers_for_learner(
        self, institution_id: str, learner_code: str | None
    ) -> ResourceOffers:
        """The offers this learner may get (one for some classes only is not
        listed to others)."""
        return await self.service.read(
            "POST",
            f"{API}/lookups/institutions/{institution_id}/resource-offers/for-learner",
            ResourceOffers,
            body=OffersForLearner(learner_code=learner_code),
        )

    # --- my data ---------------------------------------------------------------
    async def accept_my_data_terms(self) -> None:
        await self.service.send("POST", f"{API}/terms/my-data/acceptance", body=_Empty())

    async def my_data(self, person_code: str | None) -> MyDataAnswer:
        """The caller's own data (None), or a represented person's: the code in
        the body (``POST /my-data/query``), never in the address."""
        if person_code is None:
            return await self.service.read("GET", f"{API}/my-data", MyDataAnswer)
        return await self.service.read(
            "POST", f"{API}/my-data/query", MyDataAnswer, body=WhoseData(person_code=person_code)
        )

    async def request_my_data_pdf(self, person_code: str | None) -> DocumentRequested:
        return await self.service.read(
            "POST",
            f"{API}/my-data/pdf",
            DocumentRequested,
            body=WhoseData(person_code=person_code),
        )

    async def access_log(self, *, limit: int, offset: int) -> AccessLogPage:
        return await self.service.read(
            "GET",
            f"{API}/my-data/access-log",
            AccessLogPage,
            params={"limit": limit, "offset": offset},
        )
