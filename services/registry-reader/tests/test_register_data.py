"""The synthetic generator and the JSON Lines import."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from edu_contracts.personal_code import birth_date_of, normalize_personal_code
from edu_registry_reader.adapters import loader
from edu_registry_reader.domain import rules
from edu_registry_reader.domain.records import (
    InstitutionRecord,
    PersonRecord,
    Record,
    RepresentationKind,
    RepresentationRecord,
    ResourceOfferRecord,
)
from edu_registry_reader.domain.views import VIEWS, view_of
from edu_tools.backends import Backends
from edu_tools.registry.cli import app as cli
from edu_tools.registry.synthetic import generate
from typer.testing import CliRunner

AS_OF = dt.date(2026, 11, 23)


def flat(seed: int, learners: int = 400) -> list[Record]:
    return [r for batch in generate(seed, AS_OF, learners) for r in batch]


def test_generator_is_deterministic() -> None:
    first, again, other = flat(7), flat(7), flat(8)
    assert [r.to_doc() for r in first] == [r.to_doc() for r in again]
    assert [r.to_doc() for r in first] != [r.to_doc() for r in other]


def test_generated_codes_are_valid_unique_and_match_birth_dates() -> None:
    records = flat(11, 1500)
    persons = [r for r in records if isinstance(r, PersonRecord)]
    codes = [p.personal_code for p in persons]
    assert len(codes) == len(set(codes))
    formats = Counter("new" if c.startswith("32") else "old" for c in codes)
    assert formats["new"] > 50
    assert formats["old"] > 50
    for p in persons:
        assert normalize_personal_code(p.personal_code) == p.personal_code
        encoded = birth_date_of(p.personal_code)
        assert encoded is None or encoded == p.birth_date
        assert p.birth_date is not None
        assert p.birth_date >= dt.date(2017, 7, 1) or encoded is not None or p.birth_date < AS_OF
    young = [p for p in persons if p.birth_date and p.birth_date >= dt.date(2017, 7, 1)]
    assert young
    assert all(p.personal_code.startswith("32") for p in young)
    assert any(ch in "".join(p.given_name + p.family_name for p in persons) for ch in "āēīūģķļņšžč")


def test_generated_register_has_every_case() -> None:
    records = flat(3, 1500)
    persons = {r.personal_code: r for r in records if isinstance(r, PersonRecord)}
    relations = [r for r in records if isinstance(r, RepresentationRecord)]
    institutions = [r for r in records if isinstance(r, InstitutionRecord)]
    offers = [r for r in records if isinstance(r, ResourceOfferRecord)]

    def valid(rel: RepresentationRecord) -> bool:
        return rules.representation_valid_on(rel, persons[rel.represented_code].birth_date, AS_OF)

    by_basis = Counter((r.basis, valid(r)) for r in relations)
    for basis in RepresentationKind:
        assert by_basis[(basis, True)] > 0, basis
    assert by_basis[(RepresentationKind.GUARDIANSHIP, False)] > 0  # expired
    assert by_basis[(RepresentationKind.MINOR_CHILD, False)] > 0  # grown-up children
    parents = Counter(
        r.representative_code
        for r in relations
        if r.basis is RepresentationKind.MINOR_CHILD and valid(r)
    )
    assert max(parents.values()) >= 3  # families with several minors
    assert {i.founder_type.value for i in institutions} == {"state", "municipal", "private"}
    assert any(
        not i.accepting_applications for i in institutions if rules.eligible_for_applications(i)
    )
    assert {o.target_group.value for o in offers} == {"everyone", "socially_supported"}
    assert any(not p.registered_in_viis for p in persons.values())


def test_seed_loads_and_samples_find_every_kind(edu_backends: Backends) -> None:
    from edu_tools.registry.samples import KINDS, find_sample, schools_of

    client, db = loader.connect(edu_backends.mongo_url, f"rr_seed_{uuid.uuid4().hex[:8]}")
    try:
        counts = loader.seed(db, generate(5, AS_OF, 1200), meta={"seed": 5})
        assert counts["persons"] == db.persons.count_documents({})
        assert not loader.is_empty(db)
        for kind in KINDS:
            found = find_sample(db, kind, AS_OF)
            assert found is not None, kind
            assert normalize_personal_code(found["personal_code"])
        parent = find_sample(db, "parent-with-minor", AS_OF)
        assert parent is not None
        assert parent["represented"][0]["school"]["offers"]
        # Staff near the parent's children: someone who decides their applications.
        schools = schools_of(parent)
        near = find_sample(db, "staff", AS_OF, near=schools)
        assert near is not None
        assert near["institution_id"] in schools
    finally:
        client.close()


# --- import --------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[Any]) -> None:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n",
        encoding="utf-8",
    )


def test_import_rejects_a_file_with_a_bad_line_and_loads_the_rest(
    edu_backends: Backends, tmp_path: Path
) -> None:
    db_name = f"rr_import_{uuid.uuid4().hex[:8]}"
    write_jsonl(
        tmp_path / "persons.jsonl",
        [
            {"personal_code": "32000000003", "given_name": "Anna", "family_name": "Ozola",
             "birth_date": "2019-05-01"},
            {"personal_code": "010190-10001", "given_name": "Jānis", "family_name": "Ozols"},
        ],
    )  # fmt: skip
    good_school = {
        "institution_id": "IMP-1",
        "name": "Rīgas 1. vidusskola",
        "founder_type": "municipal",
        "programme_types": ["general_basic"],
        "accepting_applications": True,
    }
    write_jsonl(
        tmp_path / "institutions.jsonl",
        [
            good_school,
            {**good_school, "institution_id": "IMP-2", "founder_type": "church"},
            "{not json",
            {**good_school, "institution_id": "IMP-4", "unexpected": 1},
        ],
    )
    write_jsonl(
        tmp_path / "representations.jsonl",
        [
            {"representative_code": "010190-10001", "represented_code": "010190-10029",
             "basis": "custody", "source": "orphans_court", "valid_from": "2020-01-01"},
        ],
    )  # fmt: skip
    runner = CliRunner()
    result = runner.invoke(
        cli, ["import", str(tmp_path), "--mongo-url", edu_backends.mongo_url, "--db", db_name]
    )
    assert result.exit_code == 1, result.output
    out = result.output
    assert "loaded persons.jsonl: 2 records" in out
    assert "institutions.jsonl:2: founder_type" in out
    assert "institutions.jsonl:3: " in out
    assert "institutions.jsonl:4: unexpected" in out
    assert "rejected institutions.jsonl" in out
    assert "representations.jsonl:1: represented_code" in out  # checksum
    assert "institutions.jsonl:1" not in out

    client, db = loader.connect(edu_backends.mongo_url, db_name)
    try:
        assert db.persons.count_documents({}) == 2
        assert db.institutions.count_documents({}) == 0  # nothing of a bad file
        assert db.representations.count_documents({}) == 0
        stored = db.persons.find_one({"_id": "010190-10001"})
        assert stored is not None
        assert stored["birth_date"] == "1990-01-01"  # from the code

        # Fixed file, imported twice: loaded once (ids are stable).
        write_jsonl(tmp_path / "institutions.jsonl", [good_school])
        (tmp_path / "representations.jsonl").unlink()
        for _ in range(2):
            result = runner.invoke(
                cli,
                ["import", str(tmp_path), "--mongo-url", edu_backends.mongo_url, "--db", db_name],
            )
            assert result.exit_code == 0, result.output
        assert db.institutions.count_documents({}) == 1
        assert db.persons.count_documents({}) == 2
    finally:
        client.drop_database(db_name)
        client.close()


def test_export_round_trips_through_import(edu_backends: Backends, tmp_path: Path) -> None:
    source, target = (f"rr_rt_{uuid.uuid4().hex[:8]}" for _ in range(2))
    client, db = loader.connect(edu_backends.mongo_url, source)
    try:
        counts = loader.seed(db, generate(9, AS_OF, 100), meta={})
        loader.export_dir(db, tmp_path)
        report = loader.import_dir(client[target], tmp_path)
        assert report.bad_lines == []
        registers = loader.register_counts(client[target])
        assert registers == {name: counts[name] for name in registers}
        # The read models are rebuilt from what was imported, identical to the seeded ones.
        assert client[target][VIEWS].count_documents({}) == counts[VIEWS]
        some = db[VIEWS].find_one({}, sort=[("_id", 1)])
        assert some is not None
        imported = client[target][VIEWS].find_one({"_id": some["_id"]})
        assert imported is not None
        assert view_of(imported) == view_of(some)
        one = db.enrolments.find_one({}, sort=[("_id", 1)])
        assert one is not None
        assert client[target].enrolments.find_one({"_id": one["_id"]}) == one
    finally:
        client.drop_database(source)
        client.drop_database(target)
        client.close()
