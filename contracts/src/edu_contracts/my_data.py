"""The blocks of "Mani dati izglītības reģistros" (seeds part A step 4).

Shared by registry-reader (which answers them over HTTP) and documents (which
prints exactly them in the "Saglabāt kā PDF" printout). A block with no data is
absent (None), never an empty list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from edu_contracts.envelope import Contract
from edu_contracts.http import RequestBody
from edu_contracts.personal_code import PersonalCode, PersonalCodeInput


class RepresentationBasis(StrEnum):
    SELF = "self"
    MINOR_CHILD = "minor_child"
    CUSTODY = "custody"  # aizgādnība
    GUARDIANSHIP = "guardianship"  # aizbildnība


class PersonBlock(Contract):
    personal_code: PersonalCode
    given_name: str
    family_name: str
    birth_date: dt.date | None = None


class InstitutionEntry(Contract):
    institution_id: str
    institution_name: str
    programme_code: str | None = None
    programme_name: str | None = None
    class_group: str | None = None
    enrolled_from: dt.date
    enrolled_to: dt.date | None = None


class EducationDocumentEntry(Contract):
    document_type: str
    series_and_number: str
    issue_date: dt.date
    institution_name: str
    programme_name: str | None = None
    qualification: str | None = None


class ScholarshipEntry(Contract):
    institution_name: str
    scholarship_type: str
    amount_eur: Decimal
    period_from: dt.date
    period_to: dt.date | None = None


class PreschoolQueueEntry(Contract):
    institution_name: str
    registered_on: dt.date
    desired_start_date: dt.date
    position: int


class MyDataBlocks(Contract):
    person: PersonBlock | None = None
    institutions: tuple[InstitutionEntry, ...] | None = None
    documents: tuple[EducationDocumentEntry, ...] | None = None
    scholarships: tuple[ScholarshipEntry, ...] | None = None
    preschool_queue: tuple[PreschoolQueueEntry, ...] | None = None


class MyDataSubject(Contract):
    """Whose data an answer of ``GET /api/v1/my-data`` is, and on what basis the
    caller sees it."""

    personal_code: PersonalCode
    full_name: str | None = None
    basis: RepresentationBasis


class MyDataAnswer(Contract):
    """``GET /api/v1/my-data`` (the caller's own) and ``POST /api/v1/my-data/query``
    (whose: ``WhoseData``). In the JSON a block with no data is absent from
    ``blocks``; when VIIS holds nothing, ``blocks`` is ``{}`` and ``message`` is
    the no-data text (seeds part A step 4)."""

    subject: MyDataSubject
    blocks: MyDataBlocks
    message: str | None = None
    extracted_at: dt.datetime


class AccessLogEntry(Contract):
    """One read of the caller's data, as ``GET /api/v1/my-data/access-log`` shows
    it: the viewer by name (never by personal code)."""

    viewed_at: dt.datetime
    viewer_name: str
    viewer_is_self: bool
    basis: RepresentationBasis
    blocks: tuple[str, ...]
    purpose: str


class AccessLogPage(Contract):
    items: tuple[AccessLogEntry, ...]
    total: int
    limit: int
    offset: int


class WhoseData(RequestBody):
    """Whose data to read or print: yourself (``{}``) or a person you represent.
    The personal code travels in the body, never in the address."""

    person_code: PersonalCodeInput | None = Field(
        default=None, description="A represented person's personal code; omit for yourself."
    )
