"""Items imported from a spreadsheet (#22): CSV or XLSX with Latvian (or
English) headers, all or nothing. The file goes to applications as it is;
a file with bad rows registers nothing, and the page lists every bad row with
its line and what is wrong."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from edu_contracts.items import ImportOutcome, ImportProblem, ItemImport
from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from pydantic import ValidationError

from edu_portal.labels import item_condition_names
from edu_portal.staff.common import BASE, staff_page
from edu_portal.staff.register import REGISTER
from edu_portal.web.context import SignedIn
from edu_portal.web.forms import FormErrors
from edu_portal.web.i18n import _
from edu_portal.web.params import Api, Me

IMPORT = f"{REGISTER}/imports"
# The gateway takes at most 2 MB a request; a school's few thousand items are
# a fraction of that (20,000 rows of XLSX: ~1 MB).
MAX_FILE_BYTES = 2 * 1024 * 1024 - 64 * 1024
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# The spreadsheet's columns (as the service names them) and their Latvian headers.
HEADERS = {
    "resource_type": "Resursa veids",
    "model": "Modelis",
    "inventory_number": "Inventāra numurs",
    "serial_number": "Sērijas numurs",
    "target_group": "Mērķa grupa",
    "funding_note": "Finansējums",
    "condition": "Stāvoklis",
}


def reason_names() -> dict[str, str]:
    """What is wrong with a row, by the service's machine-readable reason."""
    return {
        "no_items": _("The file has no items"),
        "too_many_rows": _("The file has more than 20,000 items: split it"),
        "not_utf8": _("The CSV file is not in UTF-8: save it as “CSV UTF-8”"),
        "not_xlsx": _("The file is not an Excel (XLSX) workbook"),
        "unknown_column": _("Unknown column"),
        "duplicate_column": _("The column is there twice"),
        "missing_column": _("A column is missing"),
        "duplicate_inventory_number": _("The inventory number is used twice in the file"),
        "duplicate_serial_number": _("The serial number is used twice in the file"),
        "inventory_number_registered": _("The inventory number is registered already"),
        "serial_number_registered": _("The serial number is registered already"),
        "unknown_resource_type": _("Unknown resource type"),
        "unknown_target_group": _("Unknown target group"),
        "unknown_condition": _("Unknown condition"),
        "missing_resource_type": _("The resource type is missing"),
        "missing_model": _("The model is missing"),
        "missing_inventory_number": _("The inventory number is missing"),
        "missing_serial_number": _("The serial number is missing"),
        "missing_target_group": _("The target group is missing"),
        "missing_condition": _("The condition is missing"),
    }


def reason_name(problem: ImportProblem) -> str:
    """A row's problem in words; one the page has no words for (``invalid_model``:
    too long, say) by its field."""
    known = reason_names().get(problem.reason)
    if known:
        return known
    if problem.reason.startswith("invalid_"):
        return _("The value is not valid (too long?)")
    return problem.reason


def _page(
    signed_in: SignedIn,
    *,
    errors: FormErrors | None = None,
    problems: tuple[ImportProblem, ...] = (),
    status_code: int = 200,
) -> Template:
    return staff_page(
        "register_import.html",
        signed_in,
        status_code=status_code,
        errors=errors or FormErrors(),
        problems=problems,
        reason_name=reason_name,
        headers=HEADERS,
        condition_names=item_condition_names(),
    )


@get(IMPORT)
async def import_page(signed_in: Me) -> Template:
    return _page(signed_in)


@post(IMPORT)
async def import_items(data: Upload, signed_in: Me, clients: Api) -> Template | Redirect:
    upload = data.get("file")
    errors = FormErrors()
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", _("Choose a CSV or XLSX file"))
        return _page(signed_in, errors=errors, status_code=400)
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        errors.add("file", _("The file is larger than 2 MB: split it into smaller files"))
        return _page(signed_in, errors=errors, status_code=400)
    try:
        spreadsheet = ItemImport(
            filename=upload.filename[-120:], content=base64.b64encode(content).decode()
        )
    except ValidationError:
        errors.add("file", _("The file must be a CSV or XLSX file"))
        return _page(signed_in, errors=errors, status_code=400)
    outcome: ImportOutcome = await clients.items.import_items(spreadsheet)
    if outcome.problems:
        errors.add(
            "file",
            _(
                "Nothing was imported: %(n)s rows have problems. Correct them and import the file again."
            )
            % {"n": len({p.line for p in outcome.problems})},
        )
        return _page(signed_in, errors=errors, problems=outcome.problems, status_code=400)
    return Redirect(f"{BASE}/inventars?importeti={outcome.imported}", status_code=303)


ROUTES: list[ControllerRouterHandler] = [import_page, import_items]
