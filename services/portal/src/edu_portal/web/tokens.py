"""The gateway JWT of a session: minted by the portal with the gateway's key,
short-lived, kept server side with the session and renewed before it runs out.
The services verify it exactly as they verify any gateway token."""

from __future__ import annotations

import datetime as dt

from edu_runtime.signing import GatewayKeys

from edu_portal.web.session import Session, SessionStore


class SessionTokens:
    def __init__(
        self,
        keys: GatewayKeys,
        store: SessionStore,
        *,
        issuer: str,
        audience: str,
        lifetime: dt.timedelta,
    ) -> None:
        self._keys = keys
        self._store = store
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime

    async def token_for(self, session: Session) -> str:
        now = dt.datetime.now(dt.UTC)
        # Reused while it has a third of its life left: the services cache a
        # verified token, so one token per session keeps their work small.
        if (
            session.token
            and session.token_expires_at
            and session.token_expires_at - now > self._lifetime / 3
        ):
            return session.token
        person = session.person
        token = self._keys.mint(
            person.personal_code,
            role=session.role,
            institution_id=session.institution_id,
            ttl=self._lifetime,
            issuer=self._issuer,
            audience=self._audience,
            auth_method=person.auth_method,
            given_name=person.given_name,
            family_name=person.family_name,
            now=now,
        )
        expires = now + self._lifetime
        await self._store.save_token(session, token, expires)
        session.token, session.token_expires_at = token, expires
        return token
