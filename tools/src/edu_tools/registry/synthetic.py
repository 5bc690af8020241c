"""Deterministic synthetic VIIS registers: the same ``seed`` and ``as_of`` date
always give the same records (ages are relative to ``as_of`` so that "a minor"
stays meaningful whenever the data is generated).

What it contains, on purpose:
- Latvian names with diacritics; personal codes in both formats (old
  DDMMYY-CNNNN with a correct century and check digit, mostly for people born
  before July 2017; new 32NNNN-NNNNN for the younger and for some who switched);
- families with several children of every age: pre-school children in queues,
  pupils, vocational learners with scholarships, grown-up children (their
  parents no longer represent them);
- children under guardianship (aizbildnība) or custody (aizgādnība) of someone
  who is not their parent, some of it expired; adults under custody;
- adult learners; parents who are graduates (documents only), teachers
  (employees) or unknown to VIIS altogether (no data);
- institutions of each founder type and kind, some not accepting resource
  applications, some not eligible (private, interest education, college),
  with resource offers for everyone and for socially supported learners only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from edu_contracts.registry_api import FounderType, ProgrammeType, ResourceTargetGroup
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
from edu_runtime.riga import adulthood_date, age_on

from edu_tools.personal_codes import new_format, old_format

NEW_FORMAT_SINCE = dt.date(2017, 7, 1)

MALE = (
    "Jānis", "Andris", "Mārtiņš", "Kārlis", "Roberts", "Artūrs", "Edgars", "Oskars", "Dāvis",
    "Gustavs", "Emīls", "Ričards", "Krišjānis", "Raivis", "Aigars", "Uģis", "Ģirts", "Kristaps",
    "Matīss", "Rūdolfs", "Toms", "Valdis", "Māris", "Jēkabs", "Pēteris", "Aleksandrs",
    "Ņikita", "Reinis", "Oļegs", "Aivis",
)  # fmt: skip
FEMALE = (
    "Anna", "Līga", "Ilze", "Inese", "Kristīne", "Laura", "Elīza", "Sofija", "Marta", "Emīlija",
    "Alise", "Paula", "Evelīna", "Madara", "Zane", "Sanita", "Dace", "Ieva", "Agnese", "Santa",
    "Gunta", "Rūta", "Māra", "Līva", "Katrīna", "Ērika", "Annija", "Amēlija", "Ņina", "Ļuba",
)  # fmt: skip
FAMILY = (
    ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozoliņš", "Ozoliņa"),
    ("Jansons", "Jansone"), ("Ozols", "Ozola"), ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"),
    ("Balodis", "Balode"), ("Eglītis", "Eglīte"), ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"), ("Vītols", "Vītola"), ("Kļaviņš", "Kļaviņa"),
    ("Kārkliņš", "Kārkliņa"), ("Vanags", "Vanaga"), ("Lapiņš", "Lapiņa"), ("Siliņš", "Siliņa"),
    ("Zvaigzne", "Zvaigzne"), ("Ābols", "Ābola"), ("Šmits", "Šmite"), ("Ķēniņš", "Ķēniņa"),
    ("Grīnbergs", "Grīnberga"), ("Āboliņš", "Āboliņa"), ("Ivanovs", "Ivanova"),
    ("Kuzņecovs", "Kuzņecova"), ("Ločmelis", "Ločmele"), ("Žagars", "Žagare"),
    ("Čakste", "Čakste"), ("Dūmiņš", "Dūmiņa"), ("Gailītis", "Gailīte"),
)  # fmt: skip
TOWNS = (
    ("RIGA", "Rīgas"), ("DAUG", "Daugavpils"), ("LIEP", "Liepājas"), ("JELG", "Jelgavas"),
    ("JURM", "Jūrmalas"), ("VENT", "Ventspils"), ("REZE", "Rēzeknes"), ("VALM", "Valmieras"),
    ("JEKA", "Jēkabpils"), ("OGRE", "Ogres"), ("TUKU", "Tukuma"), ("CESI", "Cēsu"),
    ("KULD", "Kuldīgas"), ("SIGU", "Siguldas"), ("BAUS", "Bauskas"), ("MADO", "Madonas"),
    ("TALS", "Talsu"), ("DOBE", "Dobeles"), ("LIMB", "Limbažu"), ("ALUK", "Alūksnes"),
    ("GULB", "Gulbenes"), ("PREI", "Preiļu"), ("KRAS", "Krāslavas"), ("LUDZ", "Ludzas"),
    ("BALV", "Balvu"), ("SALD", "Saldus"), ("SMIL", "Smiltenes"), ("VALK", "Valkas"),
    ("AIZK", "Aizkraukles"), ("SALA", "Salaspils"),
)  # fmt: skip
TOWN_NAMES = {
    "Rīgas": "Rīga",
    "Daugavpils": "Daugavpils",
    "Liepājas": "Liepāja",
    "Jelgavas": "Jelgava",
    "Jūrmalas": "Jūrmala",
    "Ventspils": "Ventspils",
    "Rēzeknes": "Rēzekne",
    "Valmieras": "Valmiera",
    "Jēkabpils": "Jēkabpils",
    "Ogres": "Ogre",
    "Tukuma": "Tukums",
    "Cēsu": "Cēsis",
    "Kuldīgas": "Kuldīga",
    "Siguldas": "Sigulda",
    "Bauskas": "Bauska",
    "Madonas": "Madona",
    "Talsu": "Talsi",
    "Dobeles": "Dobele",
    "Limbažu": "Limbaži",
    "Alūksnes": "Alūksne",
    "Gulbenes": "Gulbene",
    "Preiļu": "Preiļi",
    "Krāslavas": "Krāslava",
    "Ludzas": "Ludza",
    "Balvu": "Balvi",
    "Saldus": "Saldus",
    "Smiltenes": "Smiltene",
    "Valkas": "Valka",
    "Aizkraukles": "Aizkraukle",
    "Salaspils": "Salaspils",
}
"""Genitive (as in school names) → nominative (as in addresses)."""
STREETS = ("Brīvības", "Skolas", "Dzirnavu", "Liepu", "Ozolu", "Rīgas", "Jāņa Čakstes", "Ūdens")
NICE_WORDS = ("Saulīte", "Zīļuks", "Pasaciņa", "Bitīte", "Ābelīte", "Taurenītis", "Mārīte",
              "Zvaniņš", "Rūķītis", "Pīlādzītis", "Ķiparītis", "Čiekuriņš")  # fmt: skip


@dataclass(frozen=True)
class Kind:
    code: str
    founder: FounderType
    programmes: tuple[ProgrammeType, ...]
    weight: int
    name: str  # {town} and {n} / {word}


G_BASIC, G_SEC = ProgrammeType.GENERAL_BASIC, ProgrammeType.GENERAL_SECONDARY
KINDS = (
    Kind("VSK", FounderType.MUNICIPAL, (G_BASIC, G_SEC), 40, "{town} {n}. vidusskola"),
    Kind("PSK", FounderType.MUNICIPAL, (G_BASIC,), 22, "{town} {n}. pamatskola"),
    Kind("GIM", FounderType.STATE, (G_SEC, G_BASIC), 5, "{town} Valsts {n}. ģimnāzija"),
    Kind(
        "TEH",
        FounderType.STATE,
        (
            ProgrammeType.VOCATIONAL_SECONDARY,
            ProgrammeType.TRADE,
            ProgrammeType.VOCATIONAL_BASIC,
        ),
        9,
        "{town} {n}. tehnikums",
    ),
    Kind("SSK", FounderType.MUNICIPAL, (ProgrammeType.SPECIAL,), 3, "{town} {n}. speciālā skola"),
    Kind("VAK", FounderType.MUNICIPAL, (G_SEC,), 4, "{town} {n}. vakara (maiņu) vidusskola"),
    Kind("PRV", FounderType.PRIVATE, (G_BASIC, G_SEC), 6, 'Privātā vidusskola "{word} {n}"'),
    Kind(
        "MMS",
        FounderType.MUNICIPAL,
        (ProgrammeType.INTEREST,),
        3,
        "{town} {n}. mūzikas un mākslas skola",
    ),
    Kind("KOL", FounderType.STATE, (ProgrammeType.HIGHER,), 2, "{town} {n}. koledža"),
)
PRESCHOOL = Kind(
    "PII",
    FounderType.MUNICIPAL,
    (ProgrammeType.PRESCHOOL,),
    0,
    '{town} pirmsskolas izglītības iestāde "{word}" ({n})',
)

PROGRAMMES: dict[ProgrammeType, tuple[str, str]] = {
    ProgrammeType.PRESCHOOL: ("01011111", "Vispārējās pirmsskolas izglītības programma"),
    ProgrammeType.GENERAL_BASIC: ("21011111", "Pamatizglītības programma"),
    ProgrammeType.GENERAL_SECONDARY: ("31011011", "Vispārējās vidējās izglītības programma"),
    ProgrammeType.VOCATIONAL_SECONDARY: ("33481031", "Programmēšanas tehniķis"),
    ProgrammeType.TRADE: ("32811021", "Pavārs (arodizglītība)"),
    ProgrammeType.VOCATIONAL_BASIC: ("22214011", "Kokizstrādājumu izgatavotājs"),
    ProgrammeType.SPECIAL: ("21015611", "Speciālās pamatizglītības programma"),
    ProgrammeType.HIGHER: ("41345", "Grāmatvedība (pirmā līmeņa augstākā izglītība)"),
}

BASIC_CERT = "Apliecība par vispārējo pamatizglītību"
SECONDARY_CERT = "Atestāts par vispārējo vidējo izglītību"
VOC_DIPLOMA = "Diploms par profesionālo vidējo izglītību"
QUALIFICATION_CERT = "Profesionālās kvalifikācijas apliecība"


@dataclass
class Counters:
    persons: int = 0
    learners: int = 0
    by_collection: dict[str, int] = field(default_factory=dict)


class SyntheticRegister:
    """Generator of the registers; ``institutions()`` first, then ``families()``."""

    def __init__(self, seed: int, as_of: dt.date, learners: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.as_of = as_of
        self.target = learners
        self.used_codes: set[str] = set()
        self.school_year = dt.date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
        self.by_kind: dict[str, list[InstitutionRecord]] = {}
        self.ids = 0
        self.learners = 0

    # --- helpers ------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        self.ids += 1
        return f"{prefix}{self.ids:09d}"

    def birth_for_age(self, years: float) -> dt.date:
        days = int(years * 365.25) + self.rng.randrange(365)
        return self.as_of - dt.timedelta(days=days)

    def code_for(self, birth: dt.date) -> str:
        rng = self.rng
        new_style = birth >= NEW_FORMAT_SINCE or rng.random() < 0.06
        while True:
            # One random draw per candidate, as before: the same seed gives the same codes.
            code = (
                new_format(rng.randrange(10**8))
                if new_style
                else old_format(birth, rng.randrange(1000))
            )
            if code is None:
                continue
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def person(
        self, family: tuple[str, str], age: float, *, registered: bool, male: bool | None = None
    ) -> PersonRecord:
        male = self.rng.random() < 0.5 if male is None else male
        birth = self.birth_for_age(age)
        return PersonRecord(
            personal_code=self.code_for(birth),
            given_name=self.rng.choice(MALE if male else FEMALE),
            family_name=family[0] if male else family[1],
            birth_date=birth,
            registered_in_viis=registered,
        )

    def age_of(self, person: PersonRecord) -> int:
        birth = person.birth_date
        assert birth is not None
        return age_on(birth, self.as_of)

    def pick(self, *kinds: str) -> InstitutionRecord:
        return self.rng.choice(self.by_kind[self.rng.choice(kinds)])

    def serial(self, prefix: str) -> str:
        return f"{prefix} {self.rng.randrange(10**6):06d}"

    # --- institutions and offers --------------------------------------------
    def institutions(self) -> list[Record]:
        rng = self.rng
        count = max(len(KINDS) * 2, self.target // 350)
        kinds = [*KINDS, *KINDS]  # at least two of each kind
        kinds += rng.choices(KINDS, weights=[k.weight for k in KINDS], k=count - len(kinds))
        kinds += [PRESCHOOL] * max(4, self.target // 1500)
        out: list[Record] = []
        numbers: dict[tuple[str, str], int] = {}
        for index, kind in enumerate(kinds):
            slug, town = TOWNS[index % len(TOWNS)] if index < len(TOWNS) else rng.choice(TOWNS)
            n = numbers[(slug, kind.code)] = numbers.get((slug, kind.code), 0) + 1
            eligible = kind.founder is not FounderType.PRIVATE and kind.code not in ("MMS", "KOL")
            # The second institution of every eligible kind is closed for
            # applications, so that case always exists; then about one in eight.
            accepting = not (kind in KINDS and kinds.index(kind) + len(KINDS) == index)
            accepting = accepting and rng.random() > 0.12
            institution = InstitutionRecord(
                institution_id=f"{slug}-{kind.code}-{n:02d}",
                name=kind.name.format(town=town, n=n, word=rng.choice(NICE_WORDS)),
                registration_number=f"{rng.choice('234')}{rng.randrange(10**9):09d}",
                address=f"{rng.choice(STREETS)} iela {rng.randrange(1, 120)}, "
                f"{TOWN_NAMES[town]}, LV-{rng.randrange(1001, 5799)}",
                founder_type=kind.founder,
                programme_types=kind.programmes,
                accepting_applications=accepting if eligible else rng.random() < 0.5,
            )
            self.by_kind.setdefault(kind.code, []).append(institution)
            out.append(institution)
            if kind is not PRESCHOOL:
                out.extend(self.offers(institution, first=index < len(KINDS)))
        return out

    def offers(self, institution: InstitutionRecord, *, first: bool) -> list[Record]:
        rng = self.rng
        offers: list[Record] = []
        if first or rng.random() < 0.85:
            offers.append(
                ResourceOfferRecord(
                    offer_id=f"{institution.institution_id}-LAPTOP",
                    institution_id=institution.institution_id,
                    resource_type="laptop",
                    description="Portatīvais dators mācībām ārpus skolas",
                    target_group=ResourceTargetGroup.EVERYONE,
                )
            )
        if first or rng.random() < 0.55:
            offers.append(
                ResourceOfferRecord(
                    offer_id=f"{institution.institution_id}-TABLET",
                    institution_id=institution.institution_id,
                    resource_type="tablet",
                    description="Planšetdators sociāli atbalstāmiem izglītojamajiem",
                    target_group=ResourceTargetGroup.SOCIALLY_SUPPORTED,
                )
            )
        if rng.random() < 0.15:
            offers.append(
                ResourceOfferRecord(
                    offer_id=f"{institution.institution_id}-CALC",
                    institution_id=institution.institution_id,
                    resource_type="graphing_calculator",
                    description="Grafiskais kalkulators eksāmenu sagatavošanai",
                    target_group=ResourceTargetGroup.EVERYONE,
                )
            )
        return offers

    # --- learning histories -------------------------------------------------
    def enrol(
        self,
        person: PersonRecord,
        institution: InstitutionRecord,
        programme: ProgrammeType,
        group: str | None,
        start: dt.date,
        end: dt.date | None = None,
    ) -> EnrolmentRecord:
        code, name = PROGRAMMES[programme]
        return EnrolmentRecord(
            id=self._id("E"),
            learner_code=person.personal_code,
            institution_id=institution.institution_id,
            programme_code=code,
            programme_name=name,
            programme_type=programme,
            class_group=group,
            enrolled_from=start,
            enrolled_to=end,
        )

    def document(
        self,
        person: PersonRecord,
        kind: str,
        issued: dt.date,
        institution: InstitutionRecord,
        programme: ProgrammeType,
        qualification: str | None = None,
    ) -> EducationDocumentRecord:
        prefix = {BASIC_CERT: "PA", SECONDARY_CERT: "VA", VOC_DIPLOMA: "PD"}.get(kind, "PK")
        return EducationDocumentRecord(
            id=self._id("D"),
            holder_code=person.personal_code,
            document_type=kind,
            series_and_number=self.serial(prefix),
            issue_date=issued,
            institution_id=institution.institution_id,
            institution_name=institution.name,
            programme_name=PROGRAMMES[programme][1],
            qualification=qualification,
        )

    def scholarship(
        self, person: PersonRecord, institution: InstitutionRecord, kind: str
    ) -> ScholarshipRecord:
        return ScholarshipRecord(
            id=self._id("S"),
            learner_code=person.personal_code,
            institution_id=institution.institution_id,
            scholarship_type=kind,
            amount_eur=Decimal(self.rng.randrange(15, 150)) + Decimal("0.00"),
            period_from=self.school_year,
            period_to=dt.date(self.school_year.year + 1, 6, 30),
        )

    def year_start(self, years_ago: int) -> dt.date:
        return self.school_year.replace(year=self.school_year.year - years_ago)

    def preschool_records(self, child: PersonRecord, age: int) -> list[Record]:
        """Under 7: in the queue for a pre-school place, or already in a group."""
        rng = self.rng
        out: list[Record] = []
        if age >= 1 and rng.random() < 0.7:
            birth = child.birth_date
            assert birth is not None
            for _ in range(rng.choice((1, 1, 2))):
                out.append(
                    PreschoolQueueRecord(
                        id=self._id("Q"),
                        child_code=child.personal_code,
                        institution_id=self.pick("PII").institution_id,
                        registered_on=birth + dt.timedelta(days=rng.randrange(30, 300)),
                        desired_start_date=max(
                            dt.date(birth.year + rng.choice((2, 3)), 9, 1),
                            self.school_year.replace(year=self.school_year.year + 1),
                        ),
                        position=rng.randrange(1, 250),
                    )
                )
        elif age >= 2:
            group = f'Grupa "{rng.choice(NICE_WORDS)}"'
            out.append(
                self.enrol(
                    child, self.pick("PII"), ProgrammeType.PRESCHOOL, group, self.year_start(1)
                )
            )
        return out

    def school_records(self, child: PersonRecord) -> list[Record]:
        """A child's queue, enrolments, documents and scholarships by age."""
        rng = self.rng
        age = self.age_of(child)
        grade = age - 6
        out: list[Record] = []
        if age < 7:
            return self.preschool_records(child, age)
        self.learners += 1 if age <= 18 else 0  # 7 to 18: all at school now
        letter = rng.choice("abcd")
        if grade <= 9:
            if rng.random() < 0.04:
                out.append(
                    self.enrol(
                        child,
                        self.pick("SSK"),
                        ProgrammeType.SPECIAL,
                        f"{grade}.{letter}",
                        self.year_start(grade - 1),
                    )
                )
            else:
                school = self.pick("VSK", "VSK", "PSK", "PRV")
                out.append(
                    self.enrol(
                        child,
                        school,
                        ProgrammeType.GENERAL_BASIC,
                        f"{grade}.{letter}",
                        self.year_start(grade - 1),
                    )
                )
            return out
        return self.secondary_records(child, age, letter)

    def secondary_records(self, child: PersonRecord, age: int, letter: str) -> list[Record]:
        """Grade 10 and up: basic school finished; general or vocational secondary."""
        rng = self.rng
        grade = age - 6
        out: list[Record] = []
        # Finished basic school at the end of grade 9.
        years_since = grade - 10
        basic = self.pick("VSK", "PSK")
        basic_end = dt.date(self.year_start(years_since).year, 6, 12)
        out.append(
            self.enrol(
                child,
                basic,
                ProgrammeType.GENERAL_BASIC,
                f"9.{letter}",
                self.year_start(years_since + 9),
                basic_end,
            )
        )
        out.append(self.document(child, BASIC_CERT, basic_end, basic, ProgrammeType.GENERAL_BASIC))
        vocational = rng.random() < 0.3
        if vocational:
            course = years_since + 1
            school = self.pick("TEH")
            programme = rng.choice(school.programme_types)
            if course <= 4:
                out.append(
                    self.enrol(
                        child, school, programme, f"{course}. kurss", self.year_start(years_since)
                    )
                )
                if rng.random() < 0.6:
                    out.append(self.scholarship(child, school, "Mācību stipendija"))
            else:
                end = dt.date(self.year_start(years_since - 4).year, 6, 20)
                out.append(
                    self.enrol(
                        child, school, programme, "4. kurss", self.year_start(years_since), end
                    )
                )
                out.append(
                    self.document(
                        child, VOC_DIPLOMA, end, school, programme, PROGRAMMES[programme][1]
                    )
                )
            return out
        grade_now = 10 + years_since
        school = self.pick("VSK", "VSK", "GIM", "PRV")
        if grade_now <= 12:
            out.append(
                self.enrol(
                    child,
                    school,
                    ProgrammeType.GENERAL_SECONDARY,
                    f"{grade_now}.{letter}",
                    self.year_start(years_since),
                )
            )
            if school.founder_type is FounderType.STATE and rng.random() < 0.15:
                out.append(self.scholarship(child, school, "Valsts stipendija par izcilām sekmēm"))
            return out
        end = dt.date(self.year_start(grade_now - 12).year, 6, 18)
        out.append(
            self.enrol(
                child,
                school,
                ProgrammeType.GENERAL_SECONDARY,
                f"12.{letter}",
                self.year_start(years_since),
                end,
            )
        )
        out.append(
            self.document(child, SECONDARY_CERT, end, school, ProgrammeType.GENERAL_SECONDARY)
        )
        if rng.random() < 0.3:
            college = self.pick("KOL")
            out.append(
                self.enrol(child, college, ProgrammeType.HIGHER, "1. kurss", self.school_year)
            )
        return out

    def adult_records(self, adult: PersonRecord) -> list[Record]:
        """Graduates long ago: documents only, in some of the blocks."""
        rng = self.rng
        birth = adult.birth_date
        assert birth is not None
        basic = self.pick("VSK", "PSK")
        out: list[Record] = [
            self.document(adult, BASIC_CERT, dt.date(birth.year + 15, 6, 12), basic, G_BASIC)
        ]
        if rng.random() < 0.6:
            out.append(
                self.document(adult, SECONDARY_CERT, dt.date(birth.year + 18, 6, 18), basic, G_SEC)
            )
        else:
            school = self.pick("TEH")
            out.append(
                self.document(
                    adult,
                    QUALIFICATION_CERT,
                    dt.date(birth.year + 19, 6, 20),
                    school,
                    ProgrammeType.TRADE,
                    PROGRAMMES[ProgrammeType.TRADE][1],
                )
            )
        return out

    def employment(self, adult: PersonRecord) -> EmploymentRecord:
        rng = self.rng
        school = self.pick("VSK", "PSK", "GIM", "TEH")
        return EmploymentRecord(
            id=self._id("W"),
            person_code=adult.personal_code,
            institution_id=school.institution_id,
            position=rng.choice(("skolotājs", "direktora vietnieks", "bibliotekārs", "lietvedis")),
            employed_from=self.year_start(rng.randrange(0, 15)),
            employed_to=None,
        )

    def relation(
        self,
        who: PersonRecord,
        whom: PersonRecord,
        basis: RepresentationKind,
        start: dt.date,
        end: dt.date | None,
    ) -> RepresentationRecord:
        source = (
            RepresentationSource.POPULATION_REGISTER
            if basis is RepresentationKind.MINOR_CHILD
            else RepresentationSource.ORPHANS_COURT
        )
        return RepresentationRecord(
            id=self._id("R"),
            representative_code=who.personal_code,
            represented_code=whom.personal_code,
            basis=basis,
            source=source,
            valid_from=start,
            valid_to=end,
        )

    # --- families -------------------------------------------------------------
    def adult(self, family: tuple[str, str], age: float, male: bool | None = None) -> list[Record]:
        """An adult with data in some blocks, or none at all."""
        roll = self.rng.random()
        person = self.person(family, age, registered=roll < 0.45, male=male)
        out: list[Record] = [person]
        if roll < 0.35:
            out.extend(self.adult_records(person))
        elif roll < 0.45:
            out.append(self.employment(person))
        return out

    def family(self) -> list[Record]:
        rng = self.rng
        names = rng.choice(FAMILY)
        roll = rng.random()
        if roll < 0.08:
            return self.adult_learner(names)
        if roll < 0.10:
            return self.ward_family(names, RepresentationKind.GUARDIANSHIP)
        if roll < 0.11:
            return self.ward_family(names, RepresentationKind.CUSTODY)
        if roll < 0.113:
            return self.adult_ward(names)
        children_count = rng.choices((1, 2, 3, 4), weights=(35, 40, 18, 7))[0]
        eldest = rng.uniform(1, 22)
        ages = [eldest]
        for _ in range(children_count - 1):
            ages.append(max(0.5, ages[-1] - rng.uniform(1, 6)))
        mother_age = eldest + rng.uniform(21, 38)
        parents = [self.adult(names, mother_age, male=False)]
        if rng.random() < 0.75:
            parents.append(self.adult(names, mother_age + rng.uniform(-3, 7), male=True))
        out: list[Record] = [r for p in parents for r in p]
        for age in ages:
            child = self.person(names, age, registered=True)
            out.append(child)
            out.extend(self.school_records(child))
            birth = child.birth_date
            assert birth is not None
            for parent in parents:
                head = parent[0]
                assert isinstance(head, PersonRecord)
                out.append(self.relation(head, child, RepresentationKind.MINOR_CHILD, birth, None))
        return out

    def adult_learner(self, names: tuple[str, str]) -> list[Record]:
        rng = self.rng
        person = self.person(names, rng.uniform(19, 45), registered=True)
        self.learners += 1
        out: list[Record] = [person, *self.adult_records(person)[:1]]
        if rng.random() < 0.5:
            school = self.pick("VAK")
            out.append(
                self.enrol(
                    person,
                    school,
                    G_SEC,
                    rng.choice(("11.v", "12.v", "Tālmācība")),
                    self.school_year,
                )
            )
        else:
            school = self.pick("TEH")
            out.append(
                self.enrol(
                    person,
                    school,
                    ProgrammeType.TRADE,
                    "1. kurss",
                    self.year_start(rng.randrange(2)),
                )
            )
            if rng.random() < 0.3:
                out.append(self.scholarship(person, school, "Mācību stipendija"))
        return out

    def ward_family(self, names: tuple[str, str], basis: RepresentationKind) -> list[Record]:
        """Children whose representative is a relative appointed by the Orphan's
        Court; about a third of these appointments have already ended."""
        rng = self.rng
        guardian_names = rng.choice(FAMILY)
        guardian = self.adult(guardian_names, rng.uniform(45, 72))
        head = guardian[0]
        assert isinstance(head, PersonRecord)
        out: list[Record] = list(guardian)
        for _ in range(rng.choice((1, 1, 2))):
            child = self.person(names, rng.uniform(3, 17), registered=True)
            birth = child.birth_date
            assert birth is not None
            out.append(child)
            out.extend(self.school_records(child))
            start = birth + dt.timedelta(
                days=rng.randrange(100, max(101, (self.as_of - birth).days))
            )
            start = min(start, self.as_of - dt.timedelta(days=30))
            if rng.random() < 0.33:
                end = start + dt.timedelta(days=rng.randrange(1, max(2, (self.as_of - start).days)))
                end = min(end, self.as_of - dt.timedelta(days=1))
            else:
                end = adulthood_date(birth) - dt.timedelta(days=1)
            out.append(self.relation(head, child, basis, start, end))
        return out

    def adult_ward(self, names: tuple[str, str]) -> list[Record]:
        """An adult with limited capacity under custody (aizgādnība), open-ended."""
        rng = self.rng
        custodian = self.adult(rng.choice(FAMILY), rng.uniform(45, 70))
        head = custodian[0]
        assert isinstance(head, PersonRecord)
        ward = self.person(names, rng.uniform(19, 40), registered=True)
        return [
            *custodian,
            ward,
            *self.adult_records(ward)[:1],
            self.relation(head, ward, RepresentationKind.CUSTODY, self.year_start(3), None),
        ]

    def families(self) -> Iterator[list[Record]]:
        """Families until ``learners`` pupils and adult learners exist."""
        while self.learners < self.target:
            yield self.family()


def generate(seed: int, as_of: dt.date, learners: int) -> Iterator[list[Record]]:
    """All records: first the institutions and offers, then family by family."""
    register = SyntheticRegister(seed, as_of, learners)
    yield register.institutions()
    yield from register.families()
