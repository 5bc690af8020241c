"""The blocks of "Mani dati izglītības reģistros" (seeds part A step 4).

Shared by registry-reader (which answers them over HTTP) and documents (which
prints exactly them in the "Saglabāt kā PDF" printout). A block with no data is
absent (None), never an empty list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from edu_contracts.envelope import Contract
from edu_contracts.personal_code import PersonalCode


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
