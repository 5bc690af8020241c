"""Per-person rate limits of the portal's costly pages (my-data reads and
printouts), counted over all of the person's sessions and all replicas.

The gateway cannot key a limit on the person: it sees only the session cookie,
and a new session would be a new bucket (issue #19). The portal knows the
session's subject, so it counts here, in its own MongoDB: one counter per
person, bucket and minute (a fixed window), under a keyed pseudonym of the
personal code (a copy of the database reveals no codes), deleted every few
minutes once its minute has passed (not by a TTL index: the embedded nx-27017
runs its TTL purge on every read of such a collection, see SessionStore).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

from edu_runtime.pseudonym import Pseudonymizer
from litestar.exceptions import TooManyRequestsException
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "rate_limits"
WINDOW_SECONDS = 60
PURGE_EVERY_SECONDS = 300

log = logging.getLogger(__name__)


class PersonLimits:
    def __init__(self, db: AsyncDatabase[Any], *, key: bytes, per_minute: int) -> None:
        self._counters = db[COLLECTION]
        self._pseudonym = Pseudonymizer(key)
        self.per_minute = per_minute

    async def ensure_indexes(self) -> None:
        await self._counters.create_index("expires_at")

    async def purge_forever(self) -> None:
        """Delete past minutes' counters until cancelled (idempotent per replica)."""
        while True:
            await asyncio.sleep(PURGE_EVERY_SECONDS)
            try:
                await self._counters.delete_many({"expires_at": {"$lte": dt.datetime.now(dt.UTC)}})
            except Exception:  # housekeeping: the next round tries again
                log.warning("purging rate-limit counters failed; retrying later", exc_info=True)

    async def allow(self, bucket: str, personal_code: str) -> bool:
        """Count one request of ``bucket`` for the person; False past the limit."""
        window = int(time.time()) // WINDOW_SECONDS
        expires = dt.datetime.fromtimestamp((window + 2) * WINDOW_SECONDS, dt.UTC)
        counter = await self._counters.find_one_and_update(
            {"_id": f"{bucket}:{self._pseudonym(personal_code)}:{window}"},
            {"$inc": {"n": 1}, "$setOnInsert": {"expires_at": expires}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            projection={"n": 1},
        )
        return counter is not None and int(counter["n"]) <= self.per_minute

    async def check(self, bucket: str, personal_code: str) -> None:
        """Raise 429 (the "too many requests" page) past the limit."""
        if not await self.allow(bucket, personal_code):
            raise TooManyRequestsException(detail=f"rate limit of {bucket}")
