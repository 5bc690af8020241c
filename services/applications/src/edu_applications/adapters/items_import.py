"""A school's item list, as a spreadsheet (CSV or XLSX) with Latvian (or
English) headers, read into ``ItemDetails``. All or nothing: a file with any
bad row gives every bad row, with its line and reason, and no items.

Which inventory and serial numbers the register already holds is the use
case's question; here a file is checked against itself."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from edu_contracts import labels
from edu_contracts.documents import Language
from edu_contracts.items import ItemCondition
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from openpyxl import load_workbook
from pydantic import ValidationError

from edu_applications.domain.items import ItemDetails

MAX_ROWS = 20_000
E = TypeVar("E", bound=StrEnum)

# Column → the headers it may have (compared without case and surrounding spaces).
HEADERS: dict[str, tuple[str, ...]] = {
    "resource_type": ("resursa veids", "veids", "resource type", "type"),
    "model": ("modelis", "model"),
    "inventory_number": ("inventāra numurs", "inventory number"),
    "serial_number": ("sērijas numurs", "serial number"),
    "target_group": ("mērķa grupa", "target group"),
    "funding_note": ("finansējums", "funding"),
    "condition": ("stāvoklis", "condition"),
}
# Columns the export adds that an import of it does not need: the register
# keeps its own state and version for every item it registers.
IGNORED = frozenset({"statuss", "status", "versija", "version"})
REQUIRED = ("resource_type", "model", "inventory_number", "serial_number", "target_group")


def _words(table: Mapping[E, Mapping[Language, str]], *extra: tuple[str, E]) -> dict[str, str]:
    """What a cell may say for each member: its value, its Latvian and English
    words (``edu_contracts.labels``, as the export writes them), a few
    shorthands; compared without case."""
    known: dict[str, str] = {}
    for member, words in table.items():
        known[member.value] = member
        known[member.value.replace("_", " ")] = member
        for word in words.values():
            known[word.casefold()] = member
    for word, member in extra:
        known[word] = member
    return known


VALUES: dict[str, dict[str, str]] = {
    "resource_type": _words(
        labels.RESOURCE_TYPE,
        ("klēpjdators", LendingResourceType.LAPTOP),
        ("cits", LendingResourceType.OTHER),
    ),
    "target_group": _words(
        labels.TARGET_GROUP,
        ("visiem", ResourceTargetGroup.EVERYONE),
        ("visi", ResourceTargetGroup.EVERYONE),
        ("visi izglītojamie", ResourceTargetGroup.EVERYONE),
        ("every learner", ResourceTargetGroup.EVERYONE),
        ("sociāli atbalstāmajiem", ResourceTargetGroup.SOCIALLY_SUPPORTED),
        ("sociāli atbalstāmie", ResourceTargetGroup.SOCIALLY_SUPPORTED),
    ),
    "condition": _words(
        labels.ITEM_CONDITION,
        ("", ItemCondition.NEW),
        ("labs", ItemCondition.GOOD),
    ),
}
UNKNOWN_VALUE = {
    "resource_type": "unknown_resource_type",
    "target_group": "unknown_target_group",
    "condition": "unknown_condition",
}


@dataclass(frozen=True)
class RowProblem:
    line: int  # as the spreadsheet numbers it: the header is line 1
    reason: str  # machine-readable: missing_serial_number, duplicate_inventory_number, …
    column: str | None = None
    value: str | None = None


class ImportRefused(Exception):
    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ImportRow:
    line: int
    details: ItemDetails


def read_items(content: bytes, filename: str) -> list[ImportRow]:
    """The file's items, or ``ImportRefused`` with every problem found."""
    rows = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    header, *body = rows or [[]]
    columns, problems = _columns(header)
    if problems:
        raise ImportRefused(problems)
    if not body:
        raise ImportRefused([RowProblem(line=1, reason="no_items")])
    if len(body) > MAX_ROWS:
        raise ImportRefused([RowProblem(line=MAX_ROWS + 2, reason="too_many_rows")])
    items: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    for index, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line between blocks is not an error
        row, row_problems = _row(index, cells, columns)
        for key in ("inventory_number", "serial_number"):
            value = getattr(row, key, None) if row is not None else None
            if value is None:
                continue
            first = seen.setdefault((key, value.casefold()), index)
            if first != index:
                row_problems.append(RowProblem(index, f"duplicate_{key}", key, value))
        problems.extend(row_problems)
        if row is not None and not row_problems:
            items.append(ImportRow(index, row))
    if problems:
        raise ImportRefused(problems)
    return items


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([RowProblem(line=1, reason="not_utf8")]) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=";,\t"
        )
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises a zoo of errors for a file that is not XLSX
        raise ImportRefused([RowProblem(line=1, reason="not_xlsx")]) from None
    sheet = book.worksheets[0]
    return [
        ["" if v is None else str(v) for v in values]
        for values in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
    ]


def _columns(header: Iterable[str]) -> tuple[dict[str, int], list[RowProblem]]:
    names = {h: field for field, hs in HEADERS.items() for h in hs}
    columns: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(header):
        field = names.get(cell.strip().casefold())
        if field is None:
            if cell.strip() and cell.strip().casefold() not in IGNORED:
                problems.append(RowProblem(1, "unknown_column", None, cell.strip()))
        elif field in columns:
            problems.append(RowProblem(1, "duplicate_column", field, cell.strip()))
        else:
            columns[field] = index
    for field in REQUIRED:
        if field not in columns:
            problems.append(RowProblem(1, "missing_column", field))
    return columns, problems


def _row(
    line: int, cells: Sequence[str], columns: dict[str, int]
) -> tuple[ItemDetails | None, list[RowProblem]]:
    values: dict[str, str] = {}
    problems: list[RowProblem] = []
    for field, index in columns.items():
        raw = cells[index].strip() if index < len(cells) else ""
        if field in VALUES:
            known = VALUES[field].get(raw.casefold())
            if known is None:
                reason = f"missing_{field}" if not raw else UNKNOWN_VALUE[field]
                problems.append(RowProblem(line, reason, field, raw or None))
                continue
            values[field] = known
        elif raw:
            values[field] = raw
        elif field in REQUIRED:
            problems.append(RowProblem(line, f"missing_{field}", field))
    if problems:
        return None, problems
    try:
        return ItemDetails.model_validate(values), []
    except ValidationError as exc:
        return None, [
            RowProblem(line, f"invalid_{e['loc'][0]}", str(e["loc"][0])) for e in exc.errors()
        ]
