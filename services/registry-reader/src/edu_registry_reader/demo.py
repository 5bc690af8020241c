"""Personal codes for hand-written fixtures (tests of other services use it).

The demo identities themselves now come from the loaded registers:
``edu registry sample --kind KIND`` (see ``adapters/samples.py``)."""

from __future__ import annotations

import datetime as dt

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


def new_code(serial: int) -> str:
    """A valid new-format (32NNNN-NNNNN) personal code; ``serial`` picks one of many."""
    while True:
        first_ten = f"32{serial % 10**8:08d}"
        check = old_format_check_digit(first_ten)
        if check is not None:
            return f"{first_ten[:6]}-{first_ten[6:]}{check}"
        serial += 1
