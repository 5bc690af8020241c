"""Human-readable document numbers: ``PNA-2026-000123``.

Prefix by kind, the year of issue, and a sequence that one atomic increment of a
per-prefix-and-year counter hands out. Every replica draws from the same counter
document, so two replicas can never hand out the same number (a unique index on
the number backs this up); a render that fails after drawing leaves a gap, which
is harmless: numbers identify documents, they do not count them.
"""

from __future__ import annotations

import re

from edu_contracts.documents import DocumentKind

PREFIXES: dict[DocumentKind, str] = {
    DocumentKind.HANDOVER_ACT: "PNA",  # pieņemšanas-nodošanas akts
    DocumentKind.RETURN_ACT: "ATA",  # atgriešanas akts
    DocumentKind.MY_DATA_PRINTOUT: "IZD",  # izdruka
}

# [0-9], not \d: the same in Python and in the OpenAPI document (ECMA regex).
NUMBER_PATTERN = r"^(PNA|ATA|IZD)-[0-9]{4}-[0-9]{6,}$"
_NUMBER = re.compile(NUMBER_PATTERN)


def counter_key(kind: DocumentKind, year: int) -> str:
    return f"{PREFIXES[kind]}-{year}"


def format_number(kind: DocumentKind, year: int, sequence: int) -> str:
    return f"{counter_key(kind, year)}-{sequence:06d}"


def is_document_number(value: str) -> bool:
    return _NUMBER.match(value) is not None
