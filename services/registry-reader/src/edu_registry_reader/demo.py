"""A minimal fixture of demo identities (replaced by the synthetic register
generator of the 'My data' work)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_contracts.personal_code import old_format_check_digit


def old_code(birth: dt.date, serial: int) -> str:
    """A valid old-format personal code for ``birth``; ``serial`` picks one of many."""
    century = {1800: "0", 1900: "1", 2000: "2"}[birth.year // 100 * 100]
    while True:
        first_ten = f"{birth:%d%m}{birth.year % 100:02d}{century}{serial % 1000:03d}"
        check = old_format_check_digit(first_ten)
        if check is not None:
            return f"{first_ten[:6]}-{first_ten[6:]}{check}"
        serial += 1


def demo_identities(today: dt.date) -> dict[str, dict[str, Any]]:
    parent_birth = dt.date(today.year - 40, 3, 14)
    child_birth = dt.date(today.year - 10, 9, 1)
    return {
        "parent-with-minor": {
            "personal_code": old_code(parent_birth, 101),
            "given_name": "Līga",
            "family_name": "Bērziņa",
            "children": [
                {
                    "personal_code": old_code(child_birth, 202),
                    "given_name": "Jānis",
                    "family_name": "Bērziņš",
                }
            ],
        },
        "adult-learner": {
            "personal_code": old_code(dt.date(today.year - 24, 5, 20), 303),
            "given_name": "Ģirts",
            "family_name": "Ķēniņš",
        },
        "no-data": {
            "personal_code": old_code(dt.date(today.year - 55, 1, 30), 404),
            "given_name": "Ņina",
            "family_name": "Ļaudaka",
        },
        "staff": {
            "personal_code": old_code(dt.date(today.year - 35, 7, 7), 505),
            "given_name": "Ūna",
            "family_name": "Šķēle",
            "institution_id": "RIGA-VSK-01",
        },
    }
