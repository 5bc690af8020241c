"""Bulk loading of the registers (synthetic seed and JSON Lines import), with
the synchronous driver: these are batch jobs run from the command line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pymongo import MongoClient, ReplaceOne
from pymongo.database import Database

from edu_registry_reader.adapters.store import INDEXES
from edu_registry_reader.domain.records import (
    AT_INSTITUTION,
    PERSONAL,
    REGISTERS,
    InstitutionRecord,
    PersonRecord,
    Record,
)
from edu_registry_reader.domain.views import VIEWS, build_views, view_doc

Doc = dict[str, Any]
BATCH = 5000
META = "register_meta"


def connect(mongo_url: str, db_name: str) -> tuple[MongoClient[Doc], Database[Doc]]:
    client: MongoClient[Doc] = MongoClient(
        mongo_url, tz_aware=True, uuidRepresentation="standard", serverSelectionTimeoutMS=5000
    )
    return client, client[db_name]


def ensure_indexes(db: Database[Doc]) -> None:
    for collection, indexes in INDEXES.items():
        for keys in indexes:
            db[collection].create_index(keys)


def is_empty(db: Database[Doc]) -> bool:
    return db[PersonRecord.COLLECTION].find_one({}, {"_id": 1}) is None


def register_counts(db: Database[Doc]) -> dict[str, int]:
    return {name: db[name].estimated_document_count() for name in REGISTERS}


def seed(
    db: Database[Doc],
    batches: Iterable[list[Record]],
    *,
    meta: dict[str, Any],
    progress: Callable[[int], None] = lambda _: None,
) -> dict[str, int]:
    """Replace every register with ``batches`` (inserted in bulk; the indexes
    are built afterwards, which is faster than maintaining them per insert)."""
    for name in (*REGISTERS, VIEWS):
        db[name].drop()
    pending: dict[str, list[Doc]] = {name: [] for name in (*REGISTERS, VIEWS)}
    counts = dict.fromkeys((*REGISTERS, VIEWS), 0)
    institutions: dict[str, InstitutionRecord] = {}

    def flush(name: str) -> None:
        if pending[name]:
            db[name].insert_many(pending[name], ordered=False)
            counts[name] += len(pending[name])
            pending[name] = []

    for batch in batches:
        for record in batch:
            if isinstance(record, InstitutionRecord):
                institutions[record.institution_id] = record
            pending[record.COLLECTION].append(record.to_doc())
            if len(pending[record.COLLECTION]) >= BATCH:
                flush(record.COLLECTION)
        # A batch holds every record of the persons in it (a family), so
        # their read models can be built right here.
        for code, view in build_views(batch, institutions).items():
            pending[VIEWS].append(view_doc(code, view))
        if len(pending[VIEWS]) >= BATCH:
            flush(VIEWS)
        progress(sum(1 for r in batch if isinstance(r, PersonRecord)))
    for name in pending:
        flush(name)
    ensure_indexes(db)
    db[META].replace_one({"_id": "seed"}, {"_id": "seed", **meta, "counts": counts}, upsert=True)
    return counts


# --- JSON Lines import ---------------------------------------------------------


@dataclass(frozen=True)
class BadLine:
    file: str
    line: int
    reason: str


@dataclass
class ImportReport:
    loaded: dict[str, int] = field(default_factory=dict)
    rejected_files: list[str] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    unknown_files: list[str] = field(default_factory=list)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors(include_url=False, include_input=False):
            where = ".".join(str(p) for p in err["loc"]) or "record"
            parts.append(f"{where}: {err['msg']}")
        return "; ".join(parts)
    return str(exc)


def read_file(path: Path, model: type[Record]) -> tuple[list[Doc], list[BadLine]]:
    """Every record of one file, or the reasons it cannot be loaded."""
    docs: list[Doc] = []
    bad: list[BadLine] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = model.model_validate(json.loads(line))
            except (ValueError, ValidationError) as exc:
                bad.append(BadLine(path.name, number, _reason(exc)))
                continue
            doc = record.to_doc()
            if doc["_id"] in seen:
                bad.append(BadLine(path.name, number, f"duplicate record id {doc['_id']}"))
                continue
            seen.add(doc["_id"])
            docs.append(doc)
    return docs, bad


def _chunks(docs: list[Doc]) -> Iterator[list[Doc]]:
    for start in range(0, len(docs), BATCH):
        yield docs[start : start + BATCH]


def import_dir(
    db: Database[Doc], directory: Path, progress: Callable[[str, int], None] = lambda *_: None
) -> ImportReport:
    """Load ``<register>.jsonl`` files. A file with any bad line loads nothing
    (all its lines are validated before the first write); good files load.
    Records replace the stored ones with the same id, so a re-import is safe."""
    report = ImportReport()
    touched: set[str] = set()
    for path in sorted(directory.glob("*.jsonl")):
        model = REGISTERS.get(path.stem)
        if model is None:
            report.unknown_files.append(path.name)
            continue
        docs, bad = read_file(path, model)
        if bad:
            report.bad_lines.extend(bad)
            report.rejected_files.append(path.name)
            continue
        for chunk in _chunks(docs):
            db[model.COLLECTION].bulk_write(
                [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in chunk], ordered=False
            )
            progress(path.name, len(chunk))
        report.loaded[path.name] = len(docs)
        touched.update(_touched_codes(model, docs, db))
    if report.loaded:
        ensure_indexes(db)
        rebuild_views(db, touched)
        db[META].replace_one(
            {"_id": "import"},
            {"_id": "import", "at": dt.datetime.now(dt.UTC), "files": report.loaded},
            upsert=True,
        )
    return report


def _touched_codes(model: type[Record], docs: list[Doc], db: Database[Doc]) -> set[str]:
    """Persons whose read model an imported file changes; an institution's
    new name reaches everyone enrolled, paid or queued there."""
    field_name = PERSONAL.get(model)
    if field_name is not None:
        return {d[field_name] for d in docs}
    if model is InstitutionRecord:
        ids = [d["_id"] for d in docs]
        codes: set[str] = set()
        for register in AT_INSTITUTION:
            field = PERSONAL[register]
            for start in range(0, len(ids), BATCH):
                query = {"institution_id": {"$in": ids[start : start + BATCH]}}
                found = db[register.COLLECTION].find(query, {field: 1})
                codes.update(d[field] for d in found)
        return codes
    return set()


def rebuild_views(db: Database[Doc], codes: Iterable[str], chunk: int = 1000) -> int:
    """Re-read the registers of ``codes`` (a chunk at a time, one query per
    register) and replace their read models."""
    wanted = sorted(codes)
    rebuilt = 0
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        records: list[Record] = []
        for model, field_name in PERSONAL.items():
            found = db[model.COLLECTION].find({field_name: {"$in": part}})
            records.extend(model.from_doc(d) for d in found)
        used = {r.institution_id for r in records if isinstance(r, AT_INSTITUTION)}
        institutions = {
            i.institution_id: i
            for i in (
                InstitutionRecord.from_doc(d)
                for d in db[InstitutionRecord.COLLECTION].find({"_id": {"$in": sorted(used)}})
            )
        }
        views = build_views(records, institutions)
        operations = [ReplaceOne({"_id": c}, view_doc(c, v), upsert=True) for c, v in views.items()]
        if operations:
            db[VIEWS].bulk_write(operations, ordered=False)
        gone = [c for c in part if c not in views]
        if gone:
            db[VIEWS].delete_many({"_id": {"$in": gone}})
        rebuilt += len(views)
    return rebuilt


def export_dir(db: Database[Doc], directory: Path) -> dict[str, int]:
    """Write every register as ``<register>.jsonl`` (the import format)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, model in REGISTERS.items():
        count = 0
        with (directory / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for doc in db[name].find().sort("_id", 1):
                out.write(model.from_doc(doc).model_dump_json(exclude_none=True) + "\n")
                count += 1
        written[name] = count
    return written
