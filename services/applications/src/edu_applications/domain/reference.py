"""The application's human reference: what a person reads out on the phone.

``IR-`` and 8 characters of Crockford base32 (no I, L, O, U: nothing to
mistake for 1, 0 or V) from a random source, shown as ``IR-7K3M-Q9TX``.
Random rather than a year + sequence: a sequence needs a counter document
that every new draft would update (one hot spot, and one more collection in
every draft's transaction); 32^8 ≈ 1.1·10^12 values make a collision rare,
and the unique index turns the rare one into a retry with a new reference.
It also says nothing about how many applications there are."""

from __future__ import annotations

import re

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "IR-"
PATTERN = re.compile(rf"^{PREFIX}[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}$")


def reference_from(random_bits: int) -> str:
    """The reference for 40 random bits (the caller supplies the randomness)."""
    chars = [CROCKFORD[(random_bits >> (5 * i)) & 31] for i in range(8)]
    return f"{PREFIX}{''.join(chars[:4])}-{''.join(chars[4:])}"


def normalized(text: str) -> str:
    """What a person typed, as stored: case, spaces and look-alikes forgiven
    ('ir 7k3m q9tx', 'IR-7K3MQ9TX', 'o' for 0, 'l'/'i' for 1)."""
    compact = re.sub(r"[\s\-]", "", text).upper()
    if compact.startswith(PREFIX[:-1]):
        compact = compact[len(PREFIX) - 1 :]
    compact = compact.translate(str.maketrans("OIL", "011"))
    if len(compact) != 8:
        return text.strip().upper()
    return f"{PREFIX}{compact[:4]}-{compact[4:]}"
