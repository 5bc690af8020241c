"""A stand-in for the portal's API gateway signing key, for local runs and tests.

The key handling lives in ``edu_runtime.signing`` (the portal mints with it
too); this module keeps the names the CLI and the tests import.
"""

from __future__ import annotations

import datetime as dt

from edu_runtime.signing import DEFAULT_AUDIENCE, DEFAULT_ISSUER, GatewayKeys

__all__ = ["DEFAULT_AUDIENCE", "DEFAULT_ISSUER", "GatewayKeys", "parse_ttl"]


def parse_ttl(text: str) -> dt.timedelta:
    """'90s', '15m', '1h', '2d' → timedelta."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"TTL must look like 90s, 15m, 1h or 2d, not {text!r}")
    return dt.timedelta(**{units[text[-1]]: int(text[:-1])})
