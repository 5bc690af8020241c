"""The one generator of valid Latvian personal codes for fixtures, synthetic
registers and benchmarks (the check digit computed by the contracts' rule, not
guessed). Dev tooling: no service imports it.

- ``old_format(birth, serial)`` / ``new_format(number)``: one candidate, or None
  when that number has no valid check digit (about one in eleven);
- ``old_code(birth, serial)`` / ``new_code(serial)``: the first valid code from
  ``serial`` upwards (deterministic: benchmarks and fixed fixtures);
- ``UniqueCodes``: codes never handed out before by that instance (tests that
  share a database make their people with one).
"""

from __future__ import annotations

import datetime as dt
import itertools

from edu_contracts.personal_code import old_format_check_digit

# Old format DDMMYY-CNNNX: C is the century of birth.
_CENTURY_DIGIT = {18: "0", 19: "1", 20: "2"}
# New format (since 1 July 2017): 32NNNNNNNN plus the same check digit.
NEW_FORMAT_PREFIX = "32"


def _with_check_digit(first_ten: str) -> str | None:
    check = old_format_check_digit(first_ten)
    if check is None:
        return None
    return f"{first_ten[:6]}-{first_ten[6:]}{check}"


def old_format(birth: dt.date, serial: int) -> str | None:
    """The old-format code of ``birth`` with serial ``serial % 1000``, if valid."""
    century = _CENTURY_DIGIT[birth.year // 100]
    return _with_check_digit(f"{birth:%d%m}{birth.year % 100:02d}{century}{serial % 1000:03d}")


def new_format(number: int) -> str | None:
    """The new-format code 32NNNNNNNN with ``number % 10**8``, if valid."""
    return _with_check_digit(f"{NEW_FORMAT_PREFIX}{number % 10**8:08d}")


def old_code(birth: dt.date, serial: int) -> str:
    """A valid old-format personal code for ``birth``; ``serial`` picks one of many."""
    while (code := old_format(birth, serial)) is None:
        serial += 1
    return code


def new_code(serial: int) -> str:
    """A valid new-format (32NNNN-NNNNN) personal code; ``serial`` picks one of many."""
    while (code := new_format(serial)) is None:
        serial += 1
    return code


class UniqueCodes:
    """Valid codes, each handed out once by this instance. ``start`` spreads
    instances apart (two sessions sharing a database pick different starts)."""

    def __init__(self, start: int = 1, new_format_offset: int = 4_000_000) -> None:
        self._serials = itertools.count(start)
        self._new_format_offset = new_format_offset
        self._issued: set[str] = set()

    def _claim(self, candidate: str | None) -> str | None:
        if candidate is not None and candidate not in self._issued:
            self._issued.add(candidate)
            return candidate
        return None

    def old(self, birth: dt.date) -> str:
        """An old-format code for ``birth`` not handed out before."""
        while True:
            code = self._claim(old_format(birth, next(self._serials)))
            if code is not None:
                return code

    def new(self) -> str:
        """A new-format code not handed out before."""
        while True:
            code = self._claim(new_format(next(self._serials) + self._new_format_offset))
            if code is not None:
                return code
