"""Sessions: the browser holds only a random id in an HttpOnly cookie; what it
stands for (who signed in, how, the JWT minted for the API calls, the answers
of a flow in progress) lives server side in the portal's own MongoDB database.

The JWT therefore never reaches the browser, let alone page JavaScript. A
session ends on sign-out, after ``session_idle_minutes`` without a request, or
after ``session_max_hours`` in all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pymongo.asynchronous.database import AsyncDatabase

SESSION_COOKIE = "edu_session"
COLLECTION = "sessions"
# How often a session's last-seen time (and so its idle deadline) is written:
# not on every request (a write costs the database more than the read).
# A session can so end up to this much before its idle time has passed.
TOUCH_EVERY = dt.timedelta(minutes=5)
# How often ended sessions are deleted.
PURGE_EVERY = dt.timedelta(minutes=5)

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key(cookie_value: str) -> str:
    """Sessions are stored under a hash of the cookie: a copy of the database
    does not hand out live sessions."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()


class Person(BaseModel):
    """Who signed in, as the identity provider (or the stand-in) said."""

    model_config = ConfigDict(frozen=True)

    personal_code: str
    given_name: str | None = None
    family_name: str | None = None
    auth_method: str

    @property
    def full_name(self) -> str:
        return " ".join(n for n in (self.given_name, self.family_name) if n) or self.personal_code


class Session(BaseModel):
    """One signed-in browser. ``role``/``institution_id`` are for staff
    sessions (issue #12): set only when the registers show the employment."""

    id: str = Field(alias="_id")
    person: Person
    role: str = "citizen"
    institution_id: str | None = None
    institution_name: str | None = None
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime
    token: str | None = None
    token_expires_at: dt.datetime | None = None
    # The identity provider's ID token (OIDC sign-in): the hint of the
    # provider's sign-out (RP-initiated logout) when the person signs out.
    id_token: str | None = None
    flows: dict[str, dict[str, Any]] = Field(default_factory=dict)

    model_config = ConfigDict(populate_by_name=True)

    @field_validator("created_at", "last_seen", "expires_at", "token_expires_at", mode="after")
    @classmethod
    def _utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        # Read back from the database as UTC, with or without tzinfo.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value

    def flow(self, name: str) -> dict[str, Any]:
        """The answers of flow ``name`` so far (a copy; save with ``SessionStore.save_flow``)."""
        return dict(self.flows.get(name, {}))


class SessionStore:
    def __init__(
        self, db: AsyncDatabase[Any], *, idle: dt.timedelta, longest: dt.timedelta
    ) -> None:
        self._sessions = db[COLLECTION]
        self._idle = idle
        self._longest = longest

    async def ensure_indexes(self) -> None:
        # Ended sessions are deleted by ``purge_ended`` (run every few
        # minutes), not by a TTL index: the embedded nx-27017 server runs its
        # TTL purge (two deletes) on every read of a collection that has one,
        # which cost ~2-5 ms of its CPU per page (measured). A plain index
        # keeps the purge cheap; an older TTL index on the field is replaced.
        for name, spec in (await self._sessions.index_information()).items():
            if "expireAfterSeconds" in spec:
                await self._sessions.drop_index(name)
        await self._sessions.create_index("expires_at")

    async def purge_ended(self) -> int:
        """Delete the sessions past their end (the portal never trusts one
        past ``expires_at`` anyway, so this is housekeeping, not security)."""
        result = await self._sessions.delete_many({"expires_at": {"$lte": _now()}})
        return result.deleted_count

    async def purge_forever(self, every: dt.timedelta = PURGE_EVERY) -> None:
        """``purge_ended`` every ``every`` until cancelled (one per replica:
        the deletes are idempotent)."""
        while True:
            await asyncio.sleep(every.total_seconds())
            try:
                await self.purge_ended()
            except Exception:  # housekeeping: the next round tries again
                log.warning("purging ended sessions failed; retrying later", exc_info=True)

    async def open(
        self,
        person: Person,
        *,
        role: str = "citizen",
        institution_id: str | None = None,
        institution_name: str | None = None,
        id_token: str | None = None,
    ) -> tuple[str, Session]:
        """A new session; returns the cookie value (shown to nobody else) and the session."""
        cookie_value = secrets.token_urlsafe(32)
        now = _now()
        session = Session(
            id=_key(cookie_value),
            person=person,
            role=role,
            institution_id=institution_id,
            institution_name=institution_name,
            id_token=id_token,
            created_at=now,
            last_seen=now,
            expires_at=min(now + self._idle, now + self._longest),
        )
        await self._sessions.insert_one(session.model_dump(by_alias=True))
        return cookie_value, session

    async def load(self, cookie_value: str) -> Session | None:
        """The live session for this cookie, or None if it has ended."""
        doc = await self._sessions.find_one({"_id": _key(cookie_value)})
        if doc is None:
            return None
        session = Session.model_validate(doc)
        now = _now()
        if now >= session.expires_at:
            return None
        if now - session.last_seen >= TOUCH_EVERY:
            expires = min(now + self._idle, session.created_at + self._longest)
            await self._sessions.update_one(
                {"_id": session.id}, {"$set": {"last_seen": now, "expires_at": expires}}
            )
            session = session.model_copy(update={"last_seen": now, "expires_at": expires})
        return session

    async def save_token(self, session: Session, token: str, expires_at: dt.datetime) -> None:
        await self._sessions.update_one(
            {"_id": session.id}, {"$set": {"token": token, "token_expires_at": expires_at}}
        )

    async def save_flow(self, session: Session, name: str, answers: dict[str, Any]) -> None:
        """Keep the answers of flow ``name`` (e.g. the wizard's steps) in the session."""
        session.flows[name] = answers
        await self._sessions.update_one({"_id": session.id}, {"$set": {f"flows.{name}": answers}})

    async def clear_flow(self, session: Session, name: str) -> None:
        session.flows.pop(name, None)
        await self._sessions.update_one({"_id": session.id}, {"$unset": {f"flows.{name}": ""}})

    async def close(self, cookie_value: str) -> Session | None:
        """End the session; what it was (for the provider's sign-out), if any."""
        doc = await self._sessions.find_one_and_delete({"_id": _key(cookie_value)})
        return Session.model_validate(doc) if doc is not None else None

    async def expire_now(self, session: Session) -> None:
        """For tests: the session has run out of time."""
        await self._sessions.update_one({"_id": session.id}, {"$set": {"expires_at": _now()}})
