"""CSV and XLSX exports of the staff lists, with Latvian headers and only what
the school needs to act on an application or find an item: no personal codes,
no contact details, no free-text notes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from edu_contracts.documents import Language
from edu_contracts.labels import RESOURCE_TYPE, RETURN_CONDITION
from edu_contracts.lending import LendingResourceType
from edu_runtime.riga import riga_date
from openpyxl import Workbook
from openpyxl.styles import Font

from edu_applications.adapters.inbox_fields import query_fields
from edu_applications.domain.model import Application
from edu_applications.domain.statuses import label

YES_NO = {True: "Jā", False: "Nē"}

INBOX_HEADERS = (
    "Iesnieguma numurs",
    "Iesniegts",
    "Statuss",
    "Izglītojamais",
    "Klase",
    "Resursa veids",
    "Resurss",
    "Sociāli atbalstāms",
    "Atvērts incidents",
)

ITEMS_HEADERS = (
    "Iesnieguma numurs",
    "Izglītojamais",
    "Klase",
    "Resurss",
    "Modelis",
    "Inventāra numurs",
    "Sērijas numurs",
    "Statuss",
    "Izsniegts",
    "Atvērts incidents",
    "Atgriezts",
    "Stāvoklis",
)


def resource_type_label(resource_type: str | None, lang: Language = Language.LV) -> str:
    """The resource type's words (``edu_contracts.labels``, as the portal shows
    them); an unknown type as it is."""
    if resource_type is None:
        return ""
    try:
        return RESOURCE_TYPE[LendingResourceType(resource_type)][lang]
    except ValueError:
        return resource_type


def local_date(at: dt.datetime | None) -> str:
    """The date in Riga (UTC+2 in winter, UTC+3 in summer) of an instant, as
    ISO 8601: the same day the portal's pages show."""
    return riga_date(at).isoformat() if at else ""


def number_of(app: Application) -> str:
    """The reference people quote; the id for applications older than references."""
    return app.reference or str(app.id)


def inbox_row(app: Application) -> tuple[str, ...]:
    fields = query_fields(app)
    return (
        number_of(app),
        local_date(fields["submitted_at"]),
        label(app.status, Language.LV),
        app.learner.full_name or "",
        fields["class_group"] or "",
        resource_type_label(fields["resource_type"]),
        app.resource.description if app.resource else "",
        YES_NO[bool(app.socially_supported)],
        YES_NO[fields["open_incident"]],
    )


def item_row(app: Application) -> tuple[str, ...]:
    fields = query_fields(app)
    back = app.return_record
    return (
        number_of(app),
        app.learner.full_name or "",
        fields["class_group"] or "",
        app.resource.description if app.resource else "",
        app.item.model if app.item else "",
        app.item.inventory_number if app.item else "",
        app.item.serial_number if app.item else "",
        label(app.status, Language.LV),
        local_date(fields["issued_at"]),
        YES_NO[fields["open_incident"]],
        back.returned_on.isoformat() if back else "",
        RETURN_CONDITION[back.condition][Language.LV] if back else "",
    )


# A cell starting with one of these is a formula to a spreadsheet program
# (OWASP "CSV injection"): a model or serial number typed as
# =HYPERLINK(...) must stay text in the school's export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def csv_cell(value: str) -> str:
    """The value as CSV text a spreadsheet shows but never evaluates."""
    return "'" + value if is_formula_like(value) else value


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """RFC 4180 CSV in UTF-8 with a byte-order mark, so spreadsheet programs
    read ā, č, ē… right; a formula-like cell is prefixed with ' (text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            # openpyxl stores any string starting with = as a formula: keep
            # formula-like values as text (type string, shown with a quote prefix).
            if isinstance(cell.value, str) and is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
