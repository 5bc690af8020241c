"""The e-service terms of use: accepting the current version, and the check
every wizard step makes (with its cache: an acceptance is never withdrawn, so
a yes can be remembered and the database asked only once per person)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from edu_runtime.auth import Identity
from edu_runtime.pseudonym import Pseudonymizer

from edu_applications.adapters.store import ApplicationStore
from edu_applications.domain.errors import Conflict, NotPermitted

ACCEPTED_TERMS_CACHE = 100_000  # pseudonyms (~100 bytes each) before starting over


class TermsOfUse:
    def __init__(
        self,
        store: ApplicationStore,
        pseudonym: Pseudonymizer,
        *,
        version: str,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._store = store
        self._pseudonym = pseudonym
        self.version = version
        self._clock = clock
        self._accepted: set[str] = set()  # pseudonyms known to have accepted

    async def accept(self, identity: Identity, version: str) -> dt.datetime:
        if version != self.version:
            raise Conflict(
                "terms_version_outdated",
                f"The current terms are version {self.version}.",
                current_version=self.version,
            )
        now = self._clock()
        await self._store.accept_terms(self._pseudonym(identity.personal_code), version, now)
        return now

    async def accepted(self, identity: Identity) -> bool:
        subject = self._pseudonym(identity.personal_code)
        if subject in self._accepted:
            return True
        if not await self._store.has_accepted(subject, self.version):
            return False
        if len(self._accepted) >= ACCEPTED_TERMS_CACHE:
            self._accepted.clear()
        self._accepted.add(subject)
        return True

    async def require(self, identity: Identity) -> None:
        if not await self.accepted(identity):
            raise NotPermitted(
                "terms_not_accepted",
                "Piekrītiet e-pakalpojuma lietošanas noteikumiem. "
                "/ Accept the e-service terms of use first.",
            )
