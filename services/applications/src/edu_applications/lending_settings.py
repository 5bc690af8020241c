"""Use cases of an institution's lending settings: read them (the saved ones,
or the register's until the school saves its own), change them (version
checked, audited, published through the outbox in the same transaction), read
the audit trail. Staff act on their own institution only: it comes from the
token, never from the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

from edu_contracts.lending import (
    LendingOffer,
    LendingResourceType,
    LendingSettingsChanged,
    LendingUse,
)
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity
from edu_runtime.errors import ApiError
from edu_runtime.mongo import StaleVersion
from edu_runtime.pseudonym import Pseudonymizer
from edu_runtime.riga import today_in_latvia
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_applications.adapters.lending_store import LendingSettingsStore
from edu_applications.adapters.upstream import RegistryLookups
from edu_applications.domain.errors import DomainError
from edu_applications.domain.lending import (
    AuditEntry,
    LendingSettings,
    SettingsValues,
    change_settings,
)
from edu_applications.staff import institution_of, utc_now

STAFF_FALLBACK_NAME = "Iestādes darbinieks"


@dataclass(frozen=True)
class CurrentSettings:
    """What is in force for an institution now."""

    institution_id: str
    saved: bool  # False: nothing saved yet, the register's data is in force
    version: int  # 0 until saved; the version a change must be based on
    values: SettingsValues
    accepting_now: bool
    updated_at: dt.datetime | None
    updated_by: str | None


def new_offer_id(institution_id: str) -> str:
    return f"{institution_id}-R{uuid4().hex[:10].upper()}"


def _register_type(resource_type: str) -> LendingResourceType:
    try:
        return LendingResourceType(resource_type)
    except ValueError:
        return LendingResourceType.OTHER


@dataclass(eq=False)
class LendingSettingsService:
    runtime: ServiceRuntime
    store: LendingSettingsStore
    registry: RegistryLookups
    clock: Callable[[], dt.datetime] = utc_now

    def __post_init__(self) -> None:
        key = self.runtime.settings.pseudonym_key.get_secret_value()
        self._pseudonym = Pseudonymizer(key.encode())

    async def current(self, identity: Identity) -> CurrentSettings:
        institution_id = institution_of(identity)
        saved = await self.store.get(institution_id)
        today = today_in_latvia(self.clock())
        if saved is not None:
            return CurrentSettings(
                institution_id=institution_id,
                saved=True,
                version=saved.version,
                values=SettingsValues.model_validate(
                    saved.model_dump(include=set(SettingsValues.model_fields))
                ),
                accepting_now=saved.accepting_on(today),
                updated_at=saved.updated_at,
                updated_by=saved.updated_by,
            )
        return await self._from_register(identity, institution_id)

    async def _from_register(self, identity: Identity, institution_id: str) -> CurrentSettings:
        """The register's data (what registry-reader answers while nothing is
        saved), as the starting point of the school's own settings. The
        register's offers are all for individual use: step 4 shows them."""
        institution = await self.registry.institution(institution_id, identity.token)
        if institution is None:
            raise ApiError(404, "institution_not_found", "Your institution is not in the register.")
        offers = await self.registry.offers(institution_id, identity.token)
        values = SettingsValues(
            accepting_applications=institution.accepting_applications,
            offers=tuple(
                LendingOffer(
                    offer_id=o.offer_id,
                    resource_type=_register_type(o.resource_type),
                    description=o.description,
                    target_group=o.target_group,
                    use=LendingUse.INDIVIDUAL,
                )
                for o in (offers.items if offers else ())
            ),
        )
        return CurrentSettings(
            institution_id=institution_id,
            saved=False,
            version=0,
            values=values,
            accepting_now=institution.accepting_applications,
            updated_at=None,
            updated_by=None,
        )

    async def change(
        self, identity: Identity, version: int, wanted: SettingsValues, correlation_id: str
    ) -> CurrentSettings:
        """Save ``wanted`` if the stored settings are still at ``version``
        (0 before the first save); 409 ``stale_version`` otherwise."""
        institution_id = institution_of(identity)
        now = self.clock()
        actor_name = identity.full_name or STAFF_FALLBACK_NAME

        async def save(uow: UnitOfWork) -> LendingSettings | None:
            before = await self.store.get(institution_id, uow.session)
            if (before.version if before else 0) != version:
                raise StaleVersion(institution_id)
            try:
                changed = change_settings(
                    institution_id,
                    before,
                    wanted,
                    actor_name=actor_name,
                    actor_key=self._pseudonym(identity.personal_code),
                    now=now,
                    audit_id=uuid4(),
                )
            except DomainError as err:
                raise ApiError(422, err.reason, err.message, err.extra) from None
            if changed is None:
                return before
            after, entry = changed
            await self.store.save(version, after, entry, uow.session)
            uow.emit(
                LendingSettingsChanged(
                    producer=ServiceName.APPLICATIONS,
                    correlation_id=correlation_id,
                    payload=after.payload(),
                )
            )
            return after

        try:
            await self.runtime.unit_of_work(save)
        except StaleVersion:
            raise ApiError(
                409,
                "stale_version",
                "The lending settings changed meanwhile; reload them and try again.",
            ) from None
        return await self.current(identity)

    async def history(
        self, identity: Identity, *, limit: int, offset: int
    ) -> tuple[list[AuditEntry], int]:
        return await self.store.history(institution_of(identity), limit=limit, offset=offset)
