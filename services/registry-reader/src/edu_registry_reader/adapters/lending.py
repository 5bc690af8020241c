"""The institutions' lending settings as registry-reader applies them: a read
model in its own database, kept from ``lending.settings-changed.v1`` events
(``lending_settings``: one snapshot per institution; ``lending_offers``: the
offers by id, for the verdicts, which look offers up by id), and a register
store whose institution and offer reads honour it, so the wizard lookups and
the eligibility verdicts see a school's settings seconds after it saved them."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from edu_contracts import topics
from edu_contracts.lending import LendingEvent, LendingOffer, LendingSettingsPayload
from edu_runtime.mongo import Doc
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

from edu_registry_reader.adapters.store import RegisterStore
from edu_registry_reader.domain import lending, rules
from edu_registry_reader.domain.records import InstitutionRecord, ResourceOfferRecord

SETTINGS = "lending_settings"
OFFERS = "lending_offers"


class LendingReadModel:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self._db = db
        self.settings = db[SETTINGS]
        self.offers = db[OFFERS]

    async def ensure_indexes(self) -> None:
        # Created up front: nx-27017 loses the transaction when a collection
        # is created implicitly inside one (measured: "No session specified").
        if SETTINGS not in await self._db.list_collection_names():
            with contextlib.suppress(CollectionInvalid):  # another replica was first
                await self._db.create_collection(SETTINGS)
        await self.offers.create_index([("institution_id", ASCENDING)])

    async def apply(self, incoming: LendingSettingsPayload, session: AsyncClientSession) -> bool:
        """Store the snapshot unless a newer one is stored; True if it was."""
        key = incoming.institution_id
        stored = await self.settings.find_one({"_id": key}, {"version": 1}, session=session)
        if not lending.supersedes(stored["version"] if stored else None, incoming):
            return False
        doc: dict[str, Any] = incoming.model_dump(mode="json")
        doc["_id"] = key  # repeated: nx-27017 does not copy it from the filter on upsert
        await self.settings.replace_one({"_id": key}, doc, upsert=True, session=session)
        await self.offers.delete_many({"institution_id": key}, session=session)
        if incoming.offers:
            await self.offers.insert_many(
                [
                    {"_id": o.offer_id, "institution_id": key, "offer": o.model_dump(mode="json")}
                    for o in incoming.offers
                ],
                session=session,
            )
        return True

    async def settings_of(
        self, institution_ids: Iterable[str]
    ) -> dict[str, LendingSettingsPayload]:
        wanted = sorted(set(institution_ids))
        if not wanted:
            return {}
        docs = await self.settings.find({"_id": {"$in": wanted}}).to_list()
        return {
            d["_id"]: LendingSettingsPayload.model_validate(
                {k: v for k, v in d.items() if k != "_id"}
            )
            for d in docs
        }

    async def offers_by_id(self, ids: Iterable[str]) -> dict[str, tuple[str, LendingOffer]]:
        """offer id → (institution id, offer), for the ids set by a school."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        docs = await self.offers.find({"_id": {"$in": wanted}}).to_list()
        return {
            d["_id"]: (d["institution_id"], LendingOffer.model_validate(d["offer"])) for d in docs
        }


def _today() -> dt.date:
    return rules.today_in_latvia(dt.datetime.now(dt.UTC))


class LendingAwareStore(RegisterStore):
    """The register store, with institutions and offers as the schools' saved
    lending settings make them (the register's data where none are saved)."""

    @cached_property
    def lending(self) -> LendingReadModel:
        return LendingReadModel(self._db)

    async def ensure_indexes(self) -> None:
        await super().ensure_indexes()
        await self.lending.ensure_indexes()

    async def institution(self, institution_id: str) -> InstitutionRecord | None:
        found = await super().institution(institution_id)
        if found is None:
            return None
        settings = await self.lending.settings_of([institution_id])
        return lending.effective_institution(found, settings.get(institution_id), _today())

    async def institutions(self, ids: Iterable[str]) -> dict[str, InstitutionRecord]:
        found = await super().institutions(ids)
        settings = await self.lending.settings_of(found)
        today = _today()
        return {
            key: lending.effective_institution(record, settings.get(key), today)
            for key, record in found.items()
        }

    async def offers(self, institution_id: str) -> list[ResourceOfferRecord]:
        settings = (await self.lending.settings_of([institution_id])).get(institution_id)
        if settings is None:
            return await super().offers(institution_id)
        return lending.applicable_offers(settings)

    async def offers_by_id(self, ids: Iterable[str]) -> dict[str, ResourceOfferRecord]:
        wanted = set(ids)
        own = await self.lending.offers_by_id(wanted)
        register = await super().offers_by_id(wanted - own.keys())
        # A school that saved settings offers only what they list.
        overridden = await self.lending.settings_of(o.institution_id for o in register.values())
        result = {k: o for k, o in register.items() if o.institution_id not in overridden}
        for offer_id, (institution_id, offer) in own.items():
            record = lending.offer_record(institution_id, offer)
            if record is not None:
                result[offer_id] = record
        return result


def register_lending_consumer(runtime: ServiceRuntime, store: LendingAwareStore) -> None:
    inbox = runtime.inbox("lending-settings")

    @runtime.subscriber(topics.LENDING_SETTINGS, "lending-settings")
    async def on_lending_settings(event: LendingEvent) -> None:
        async def work(uow: UnitOfWork) -> None:
            await store.lending.apply(event.payload, uow.session)

        await inbox.apply_once(event.event_id, work)
