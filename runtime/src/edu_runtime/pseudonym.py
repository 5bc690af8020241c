"""Personal codes never appear in clear in logs, traces or lookup keys that do
not need them: they are replaced by a keyed hash (HMAC-SHA256), stable for one
key so that an operator can still correlate without learning the code."""

from __future__ import annotations

import hashlib
import hmac
import re

# Not inside a longer token: the tail of a UUID ("…-c79090637814") is not a code.
_CODE = re.compile(r"(?<![0-9A-Za-z])(\d{6})-?(\d{5})(?![0-9A-Za-z])")


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, personal_code: str) -> str:
        digest = hmac.new(self._key, personal_code.replace("-", "").encode(), hashlib.sha256)
        return "pc_" + digest.hexdigest()[:24]


def redact_personal_codes(text: str) -> str:
    """Mask anything shaped like a personal code (11 digits, optional hyphen)."""
    return _CODE.sub("[personal-code]", text)
