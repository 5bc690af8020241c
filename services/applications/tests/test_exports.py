"""Staff exports never carry a live formula (issue #19): a value a citizen or
an employee typed (an offer's description, a model, an inventory or serial
number) that starts with = + - @ tab or CR is written as text."""

from __future__ import annotations

import csv
import io

import pytest
from edu_applications.adapters.exports import ITEMS_HEADERS, to_csv, to_xlsx
from openpyxl import load_workbook

DANGEROUS = [
    '=HYPERLINK("https://evil.example","Klikšķini")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]
SAFE = ["Lenovo ThinkPad", "INV-2026-001", "2026-09-01", ""]


def _row(value: str) -> tuple[str, ...]:
    return (value,) * len(ITEMS_HEADERS)


def test_csv_cells_that_look_like_formulas_are_text() -> None:
    body = to_csv(ITEMS_HEADERS, [_row(v) for v in DANGEROUS + SAFE]).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    for value, row in zip(DANGEROUS, rows, strict=False):
        assert row[0] == "'" + value
    for value, row in zip(SAFE, rows[len(DANGEROUS) :], strict=True):
        assert row[0] == value


@pytest.mark.parametrize("value", DANGEROUS)
def test_xlsx_cells_that_look_like_formulas_are_text(value: str) -> None:
    book = load_workbook(io.BytesIO(to_xlsx("Izsniegtie", ITEMS_HEADERS, [_row(value)])))
    sheet = book.active
    assert sheet is not None
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == value.replace("\r", "\n")  # XML reads a CR back as LF
    assert cell.quotePrefix


def test_xlsx_plain_values_stay_as_they_are() -> None:
    book = load_workbook(io.BytesIO(to_xlsx("Izsniegtie", ITEMS_HEADERS, [_row("INV-1")])))
    sheet = book.active
    assert sheet is not None
    assert sheet.cell(row=2, column=1).value == "INV-1"
    assert not sheet.cell(row=2, column=1).quotePrefix
