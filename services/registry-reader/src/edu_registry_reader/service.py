"""Use cases of "My data" and of the wizard lookups: who may see whom, what is
shown, and the access-log record of every read. The HTTP controllers only
translate to and from these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID, uuid4

from edu_contracts.documents import (
    Language,
    MyDataPrintoutContent,
    PersonRef,
    RenderRequested,
    RenderRequestedPayload,
)
from edu_contracts.my_data import AccessLogPage, MyDataAnswer, MyDataSubject, RepresentationBasis
from edu_contracts.personal_code import normalize_personal_code
from edu_contracts.refusals import Conflict, NotFound, NotPermitted
from edu_contracts.registry_api import (
    InstitutionSummary,
    LearnerInstitution,
    LearnerInstitutions,
    RepresentedPerson,
    RepresentedPersons,
    ResourceOffers,
)
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork

from edu_registry_reader.adapters.store import AccessRecord, RegisterStore
from edu_registry_reader.domain import rules
from edu_registry_reader.domain.records import PersonRecord
from edu_registry_reader.domain.views import PersonView

TERMS_VERSION = "2026-09-01"

_TEXTS = {
    "terms_not_accepted": {
        Language.LV: "Vispirms apstipriniet e-pakalpojuma lietošanas noteikumus.",
        Language.EN: "Accept the e-service terms of use first.",
    },
    "not_represented": {
        Language.LV: "Jums nav tiesību skatīt šīs personas datus.",
        Language.EN: "You may not view this person's data.",
    },
}


def text(key: str, lang: Language) -> str:
    return _TEXTS[key][lang]


@dataclass(frozen=True)
class Subject:
    code: str
    basis: RepresentationBasis
    view: PersonView

    @property
    def person(self) -> PersonRecord | None:
        return self.view.person


class RegistryService:
    CACHE_LIMIT = 100_000

    def __init__(self, store: RegisterStore, units: UnitsOfWork) -> None:
        self.store = store
        self._units = units
        # Acceptances are never withdrawn, so a positive answer can be cached;
        # a miss (or another replica) asks the database.
        self._accepted: set[str] = set()

    async def accept_terms(self, identity: Identity, version: str, now: dt.datetime) -> None:
        if version != TERMS_VERSION:
            raise Conflict("terms_version_outdated", f"The current terms are {TERMS_VERSION}.")
        await self.store.accept_terms(identity.personal_code, TERMS_VERSION, now)

    async def require_terms(self, identity: Identity, lang: Language) -> None:
        code = identity.personal_code
        if code in self._accepted:
            return
        if not await self.store.has_accepted(code, TERMS_VERSION):
            raise NotPermitted("terms_not_accepted", text("terms_not_accepted", lang))
        if len(self._accepted) >= self.CACHE_LIMIT:
            self._accepted.clear()
        self._accepted.add(code)

    async def viewer_name(self, identity: Identity) -> str:
        """Shown to the person whose data was read; the gateway's names when it
        sent them, else the Population Register's."""
        if identity.full_name:
            return identity.full_name
        person = await self.store.person(identity.personal_code)
        return person.full_name if person else "—"

    async def subject(
        self, identity: Identity, person_code: str | None, on: dt.date, lang: Language
    ) -> Subject:
        """Self, or a person the caller represents on ``on``. A code that is
        valid but not represented is refused the same way whether or not the
        person exists, so the answer reveals nothing about them."""
        own = identity.personal_code
        code = own if person_code is None else normalize_personal_code(person_code)
        view = await self.store.view(code)
        if code == own:
            return Subject(own, RepresentationBasis.SELF, view)
        birth = view.person.birth_date if view.person else None
        relation = rules.valid_basis(view.relations_with(own), birth, on)
        if relation is None:
            raise NotPermitted("not_represented", text("not_represented", lang))
        return Subject(code, rules.basis_of(relation.basis), view)

    # --- My data ------------------------------------------------------------
    async def read_my_data(
        self, identity: Identity, person_code: str | None, lang: Language, now: dt.datetime
    ) -> MyDataAnswer:
        """The caller's data, or a represented person's; the read is logged
        before it is answered."""
        subject = await self._readable(identity, person_code, lang, now)
        answer = self._answer(identity, subject, now, lang)
        await self.store.log_access(
            [await self._read_of(identity, subject, answer, "my_data", now)]
        )
        return answer

    async def request_printout(
        self,
        identity: Identity,
        person_code: str | None,
        lang: Language,
        correlation_id: str,
        now: dt.datetime,
    ) -> UUID:
        """ "Saglabāt kā PDF": asks the documents service (command through the
        outbox) to print exactly the blocks shown; the id to fetch it by."""
        subject = await self._readable(identity, person_code, lang, now)
        answer = self._answer(identity, subject, now, lang)
        document_id = uuid4()
        command = RenderRequested(
            producer=ServiceName.REGISTRY_READER,
            correlation_id=correlation_id,
            payload=RenderRequestedPayload(
                document_id=document_id,
                language=lang,
                reader_code=identity.personal_code,
                content=MyDataPrintoutContent(
                    subject=PersonRef(
                        personal_code=subject.code, full_name=answer.subject.full_name or "—"
                    ),
                    basis=subject.basis,
                    blocks=answer.blocks,
                    message=answer.message,
                    extracted_at=now,
                ),
            ),
        )
        read = await self._read_of(identity, subject, answer, "my_data_pdf", now)

        async def save(uow: UnitOfWork) -> None:
            await self.store.log_access([read], uow.session)
            uow.emit(command)

        await self._units.run(save)
        return document_id

    async def access_log(
        self, identity: Identity, lang: Language, *, limit: int, offset: int
    ) -> AccessLogPage:
        """Who read the caller's data, when, which blocks, on what basis."""
        await self.require_terms(identity, lang)
        return await self.store.access_log(identity.personal_code, limit=limit, offset=offset)

    async def _readable(
        self, identity: Identity, person_code: str | None, lang: Language, now: dt.datetime
    ) -> Subject:
        await self.require_terms(identity, lang)
        return await self.subject(identity, person_code, rules.today_in_latvia(now), lang)

    async def _read_of(
        self,
        identity: Identity,
        subject: Subject,
        answer: MyDataAnswer,
        purpose: str,
        now: dt.datetime,
    ) -> AccessRecord:
        blocks = rules.shown_blocks(answer.blocks)
        return await self.access_record(identity, subject, blocks, purpose, now)

    def _answer(
        self, identity: Identity, subject: Subject, now: dt.datetime, lang: Language
    ) -> MyDataAnswer:
        blocks = rules.build_blocks(subject.view.extract())
        full_name = subject.person.full_name if subject.person else None
        if full_name is None and subject.basis is RepresentationBasis.SELF:
            full_name = identity.full_name
        return MyDataAnswer(
            subject=MyDataSubject(
                personal_code=subject.code, full_name=full_name, basis=subject.basis
            ),
            blocks=blocks,
            message=rules.NO_DATA_MESSAGE[lang] if rules.is_empty(blocks) else None,
            extracted_at=now,
        )

    async def access_record(
        self,
        identity: Identity,
        subject: Subject,
        blocks: tuple[str, ...],
        purpose: str,
        now: dt.datetime,
    ) -> AccessRecord:
        return AccessRecord(
            subject_code=subject.code,
            viewer_code=identity.personal_code,
            viewer_name=await self.viewer_name(identity),
            basis=subject.basis,
            blocks=blocks,
            purpose=purpose,
            at=now,
        )

    # --- wizard lookups -----------------------------------------------------
    async def institution(self, institution_id: str) -> InstitutionSummary:
        """Public register data of one institution (no personal data)."""
        found = await self.store.institution(institution_id)
        if found is None:
            raise _no_institution()
        return rules.summary(found)

    async def resource_offers(self, institution_id: str) -> ResourceOffers:
        """The resources the institution lends for individual use."""
        if await self.store.institution(institution_id) is None:
            raise _no_institution()
        offers = await self.store.offers(institution_id)
        return ResourceOffers(
            institution_id=institution_id, items=tuple(o.to_contract() for o in offers)
        )

    async def resource_offers_for(
        self,
        identity: Identity,
        institution_id: str,
        learner_code: str | None,
        now: dt.datetime,
        lang: Language,
    ) -> ResourceOffers:
        """The institution's offers the learner may get: those limited to some
        classes or programmes (the school's lending settings) only when the
        learner is in one of them now. The learner is the caller or a person
        they represent. Not logged as a read of the learner's data: the answer
        shows none of it, and step 2's lookup already logged the wizard's read
        of the learner's enrolments."""
        all_offers = await self.resource_offers(institution_id)
        subject = await self.subject(identity, learner_code, rules.today_in_latvia(now), lang)
        return ResourceOffers(
            institution_id=institution_id,
            items=rules.offered_to(
                all_offers.items,
                subject.view.enrolments,
                institution_id,
                rules.today_in_latvia(now),
            ),
        )

    async def represented_persons(self, identity: Identity, now: dt.datetime) -> RepresentedPersons:
        on = rules.today_in_latvia(now)
        relations = await self.store.relations_of(identity.personal_code)
        persons = await self.store.persons(r.represented_code for r in relations)
        items: list[RepresentedPerson] = []
        for code in sorted({r.represented_code for r in relations}):
            person = persons.get(code)
            if person is None:
                continue  # a relation to someone the register does not know: nothing to show
            mine = [r for r in relations if r.represented_code == code]
            relation = rules.valid_basis(mine, person.birth_date, on)
            if relation is None:
                continue
            items.append(
                RepresentedPerson(
                    personal_code=code,
                    given_name=person.given_name,
                    family_name=person.family_name,
                    birth_date=person.birth_date,
                    basis=rules.basis_of(relation.basis),
                    valid_until=rules.representation_valid_until(relation, person.birth_date),
                )
            )
        if items:
            viewer = await self.viewer_name(identity)
            await self.store.log_access(
                [
                    AccessRecord(
                        subject_code=i.personal_code,
                        viewer_code=identity.personal_code,
                        viewer_name=viewer,
                        basis=i.basis,
                        blocks=("person",),
                        purpose="represented_persons",
                        at=now,
                    )
                    for i in items
                ]
            )
        return RepresentedPersons(items=tuple(items))

    async def learner_institutions(
        self, identity: Identity, learner_code: str | None, now: dt.datetime, lang: Language
    ) -> LearnerInstitutions:
        on = rules.today_in_latvia(now)
        subject = await self.subject(identity, learner_code, on, lang)
        enrolments = [
            e for e in subject.view.enrolments if rules.current(e.enrolled_from, e.enrolled_to, on)
        ]
        institutions = await self.store.institutions(e.institution_id for e in enrolments)
        items = tuple(
            LearnerInstitution(
                institution=rules.summary(institutions[e.institution_id]),
                programme_name=e.programme_name,
                class_group=e.class_group,
            )
            for e in enrolments
            if e.institution_id in institutions
        )
        record = await self.access_record(
            identity, subject, ("institutions",), "application_wizard", now
        )
        await self.store.log_access([record])
        return LearnerInstitutions(learner_code=subject.code, items=items)

    async def employee_institutions(
        self, identity: Identity, now: dt.datetime
    ) -> LearnerInstitutions:
        on = rules.today_in_latvia(now)
        jobs = [
            e
            for e in await self.store.employments(identity.personal_code)
            if rules.current(e.employed_from, e.employed_to, on)
        ]
        institutions = await self.store.institutions(e.institution_id for e in jobs)
        items = tuple(
            LearnerInstitution(institution=rules.summary(institutions[e.institution_id]))
            for e in jobs
            if e.institution_id in institutions
        )
        me = Subject(identity.personal_code, RepresentationBasis.SELF, PersonView())
        record = await self.access_record(identity, me, ("employment",), "application_wizard", now)
        await self.store.log_access([record])
        return LearnerInstitutions(learner_code=identity.personal_code, items=items)


def _no_institution() -> NotFound:
    return NotFound("institution_not_found", "No such institution in the register.")
