"""registry-reader on a real HTTP port against the session's embedded Kafka and
MongoDB, with a small hand-made register whose ages are relative to today."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from edu_contracts.registry_api import FounderType, ProgrammeType, ResourceTargetGroup
from edu_registry_reader.app import create_app
from edu_registry_reader.domain.records import (
    EducationDocumentRecord,
    EmploymentRecord,
    EnrolmentRecord,
    InstitutionRecord,
    PersonRecord,
    PreschoolQueueRecord,
    Record,
    RepresentationKind,
    RepresentationRecord,
    RepresentationSource,
    ResourceOfferRecord,
    ScholarshipRecord,
)
from edu_registry_reader.domain.rules import today_in_latvia
from edu_registry_reader.domain.views import VIEWS, build_views, view_doc
from edu_registry_reader.settings import RegistryReaderSettings
from edu_tools.gateway import GatewayKeys
from edu_tools.personal_codes import UniqueCodes
from edu_tools.testing import RunningService, bearer, serving
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

TODAY = today_in_latvia(dt.datetime.now(dt.UTC))
_codes = UniqueCodes()


def old_code(birth: dt.date) -> str:
    return _codes.old(birth)


def new_code() -> str:
    return _codes.new()


def years_before(years: int, days: int = 0) -> dt.date:
    """The date ``years`` before today (28 Feb for 29 Feb), minus ``days``."""
    try:
        anchor = TODAY.replace(year=TODAY.year - years)
    except ValueError:
        anchor = dt.date(TODAY.year - years, 2, 28)
    return anchor - dt.timedelta(days=days)


@dataclass(frozen=True)
class P:
    code: str
    given: str
    family: str
    birth: dt.date

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    def record(self, registered: bool = True) -> PersonRecord:
        return PersonRecord(
            personal_code=self.code,
            given_name=self.given,
            family_name=self.family,
            birth_date=self.birth,
            registered_in_viis=registered,
        )


def person(given: str, family: str, birth: dt.date, *, new: bool = False) -> P:
    return P(new_code() if new else old_code(birth), given, family, birth)


@dataclass
class World:
    parent: P
    child: P  # 10, new-format code, pupil with a queue entry for a sibling? no: pupil
    child_18_yesterday: P
    child_18_tomorrow: P
    toddler: P  # in the pre-school queue only
    guardian: P
    ward: P
    expired_guardian: P
    expired_ward: P
    custodian: P
    adult_ward: P
    adult_learner: P
    employee: P
    stranger: P
    nobody: P
    school: str = "TST-VSK-01"
    closed_school: str = "TST-PSK-02"
    private_school: str = "TST-PRV-03"
    preschool: str = "TST-PII-04"
    laptop: str = "TST-VSK-01-LAPTOP"
    tablet: str = "TST-VSK-01-TABLET"


def build_world() -> tuple[World, list[Record]]:
    w = World(
        parent=person("Līga", "Bērziņa", years_before(41, 20)),
        child=person("Jānis", "Bērziņš", years_before(10, 40), new=True),
        child_18_yesterday=person("Ērika", "Bērziņa", years_before(18, 1)),
        child_18_tomorrow=person("Ģirts", "Bērziņš", years_before(18, -1)),
        toddler=person("Ņina", "Bērziņa", years_before(2, 5), new=True),
        guardian=person("Oļegs", "Kuzņecovs", years_before(60)),
        ward=person("Ļuba", "Kuzņecova", years_before(12)),
        expired_guardian=person("Māra", "Ābola", years_before(55)),
        expired_ward=person("Roberts", "Ābols", years_before(9)),
        custodian=person("Dace", "Šmite", years_before(50)),
        adult_ward=person("Uģis", "Šmits", years_before(30)),
        adult_learner=person("Kārlis", "Ķēniņš", years_before(24)),
        employee=person("Ūna", "Čakste", years_before(35)),
        stranger=person("Pēteris", "Vītols", years_before(45)),
        nobody=person("Ilze", "Zvaigzne", years_before(52)),
    )
    start = TODAY - dt.timedelta(days=400)
    records: list[Record] = [
        w.parent.record(registered=False),
        w.child.record(),
        w.child_18_yesterday.record(),
        w.child_18_tomorrow.record(),
        w.toddler.record(),
        w.guardian.record(registered=False),
        w.ward.record(),
        w.expired_guardian.record(registered=False),
        w.expired_ward.record(),
        w.custodian.record(registered=False),
        w.adult_ward.record(),
        w.adult_learner.record(),
        w.employee.record(),
        w.stranger.record(registered=False),
        w.nobody.record(registered=False),
    ]

    def rel(who: P, whom: P, basis: RepresentationKind, since: dt.date, to: dt.date | None) -> None:
        records.append(
            RepresentationRecord(
                representative_code=who.code,
                represented_code=whom.code,
                basis=basis,
                source=RepresentationSource.POPULATION_REGISTER
                if basis is RepresentationKind.MINOR_CHILD
                else RepresentationSource.ORPHANS_COURT,
                valid_from=since,
                valid_to=to,
            )
        )

    for kid in (w.child, w.child_18_yesterday, w.child_18_tomorrow, w.toddler):
        rel(w.parent, kid, RepresentationKind.MINOR_CHILD, kid.birth, None)
    rel(w.guardian, w.ward, RepresentationKind.GUARDIANSHIP, years_before(3), years_before(-6))
    rel(
        w.expired_guardian,
        w.expired_ward,
        RepresentationKind.GUARDIANSHIP,
        years_before(5),
        TODAY - dt.timedelta(days=1),
    )
    rel(w.custodian, w.adult_ward, RepresentationKind.CUSTODY, years_before(4), None)

    def institution(
        iid: str, name: str, founder: FounderType, accepting: bool, *programmes: ProgrammeType
    ) -> None:
        records.append(
            InstitutionRecord(
                institution_id=iid,
                name=name,
                registration_number="4313900001",
                address="Skolas iela 1, Rīga, LV-1010",
                founder_type=founder,
                programme_types=programmes,
                accepting_applications=accepting,
            )
        )

    institution(
        w.school,
        "Rīgas Ķengaraga vidusskola",
        FounderType.MUNICIPAL,
        True,
        ProgrammeType.GENERAL_BASIC,
        ProgrammeType.GENERAL_SECONDARY,
    )
    institution(
        w.closed_school,
        "Cēsu pamatskola",
        FounderType.MUNICIPAL,
        False,
        ProgrammeType.GENERAL_BASIC,
    )
    institution(
        w.private_school,
        'Privātā vidusskola "Ābele"',
        FounderType.PRIVATE,
        True,
        ProgrammeType.GENERAL_SECONDARY,
    )
    institution(w.preschool, 'PII "Zīļuks"', FounderType.MUNICIPAL, True, ProgrammeType.PRESCHOOL)
    for offer_id, kind, group in (
        (w.laptop, "laptop", ResourceTargetGroup.EVERYONE),
        (w.tablet, "tablet", ResourceTargetGroup.SOCIALLY_SUPPORTED),
    ):
        records.append(
            ResourceOfferRecord(
                offer_id=offer_id,
                institution_id=w.school,
                resource_type=kind,
                description="Portatīvais dators mācībām",
                target_group=group,
            )
        )
    records.append(
        ResourceOfferRecord(
            offer_id=f"{w.private_school}-LAPTOP",
            institution_id=w.private_school,
            resource_type="laptop",
            description="Dators",
            target_group=ResourceTargetGroup.EVERYONE,
        )
    )

    def enrol(who: P, iid: str, group: str, programme: ProgrammeType) -> None:
        records.append(
            EnrolmentRecord(
                learner_code=who.code,
                institution_id=iid,
                programme_code="21011111",
                programme_name="Pamatizglītības programma",
                programme_type=programme,
                class_group=group,
                enrolled_from=start,
            )
        )

    enrol(w.child, w.school, "4.b", ProgrammeType.GENERAL_BASIC)
    enrol(w.child_18_tomorrow, w.school, "12.a", ProgrammeType.GENERAL_SECONDARY)
    enrol(w.child_18_yesterday, w.school, "12.a", ProgrammeType.GENERAL_SECONDARY)
    enrol(w.ward, w.closed_school, "6.a", ProgrammeType.GENERAL_BASIC)
    enrol(w.adult_learner, w.school, "12.v", ProgrammeType.GENERAL_SECONDARY)
    # A past enrolment: shown in "My data", not a current one for the wizard.
    records.append(
        EnrolmentRecord(
            learner_code=w.adult_learner.code,
            institution_id=w.closed_school,
            programme_name="Pamatizglītības programma",
            enrolled_from=years_before(15),
            enrolled_to=years_before(8),
        )
    )
    records.append(
        ScholarshipRecord(
            learner_code=w.adult_learner.code,
            institution_id=w.school,
            scholarship_type="Mācību stipendija",
            amount_eur=Decimal("45.50"),
            period_from=start,
        )
    )
    records.append(
        EducationDocumentRecord(
            holder_code=w.adult_ward.code,
            document_type="Apliecība par vispārējo pamatizglītību",
            series_and_number="PA 012345",
            issue_date=years_before(14),
            institution_name="Jūrmalas pamatskola",
            programme_name="Pamatizglītības programma",
        )
    )
    records.append(
        PreschoolQueueRecord(
            child_code=w.toddler.code,
            institution_id=w.preschool,
            registered_on=years_before(2, -60),
            desired_start_date=TODAY + dt.timedelta(days=200),
            position=17,
        )
    )
    records.append(
        EmploymentRecord(
            person_code=w.employee.code,
            institution_id=w.school,
            position="skolotāja",
            employed_from=years_before(6),
        )
    )
    return w, records


@dataclass
class Registry:
    service: RunningService
    settings: RegistryReaderSettings
    db: Any
    world: World
    gateway: GatewayKeys

    def token(self, who: P, **kw: Any) -> dict[str, str]:
        return bearer(
            self.gateway.mint(who.code, given_name=who.given, family_name=who.family, **kw)
        )

    async def get(self, path: str, who: P, **kw: Any) -> Any:
        headers = {**self.token(who), **kw.pop("headers", {})}
        return await self.service.client.get(path, headers=headers, **kw)

    async def post(self, path: str, who: P, **kw: Any) -> Any:
        headers = {**self.token(who), **kw.pop("headers", {})}
        return await self.service.client.post(path, headers=headers, **kw)

    async def accept_terms(self, who: P) -> None:
        r = await self.post("/api/v1/terms/my-data/acceptance", who, json={})
        assert r.status_code == 201, r.text


@pytest.fixture(scope="session")
async def registry(
    make_settings: Callable[..., Any],
    gateway: GatewayKeys,
    edu_backends: Any,
    span_exporter: InMemorySpanExporter,
) -> AsyncIterator[Registry]:
    settings = make_settings(RegistryReaderSettings)
    world, records = build_world()
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(edu_backends.mongo_url, tz_aware=True)
    db = mongo[settings.mongo_db]
    by_collection: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_collection.setdefault(record.COLLECTION, []).append(record.to_doc())
    for name, docs in by_collection.items():
        await db[name].insert_many(docs)
    # The read models, as the loaders build them (test_live_view_fallback
    # covers records written without one).
    institutions = {r.institution_id: r for r in records if isinstance(r, InstitutionRecord)}
    views = build_views(records, institutions)
    await db[VIEWS].insert_many([view_doc(code, view) for code, view in views.items()])
    app = create_app(settings, span_exporters=[span_exporter])
    async with serving(app, settings.http_port) as service:
        yield Registry(service, settings, db, world, gateway)
    await mongo.close()
