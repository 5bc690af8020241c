"""registry-reader's copy of the schools' lending settings, against the real
MongoDB: at-least-once delivery means a snapshot may come again or late, and
only a newer version replaces the stored one. (The end-to-end flow, staff
saving settings in applications and the lookups honouring them, is in the
root's tests/test_lending_settings.py.)"""

from __future__ import annotations

import datetime as dt

from edu_contracts.lending import LendingSettingsPayload
from edu_registry_reader.adapters.lending import LendingReadModel
from edu_runtime.mongo import transaction

from .conftest import Registry


async def test_registry_keeps_the_newest_snapshot_whatever_the_order(registry: Registry) -> None:
    """At-least-once delivery: a repeated or older snapshot changes nothing.

    In a database of its own: the running service applies the session's
    lending snapshots in transactions of its own client meanwhile, and
    nx-27017 nests two clients' transactions on one database as savepoints
    of one SQLite connection ("no such savepoint" on commit, seen once in
    ``make test``)."""
    client = registry.db.client
    db = client[f"{registry.db.name}-order"]
    model = LendingReadModel(db)
    await model.ensure_indexes()
    now = dt.datetime.now(dt.UTC)

    def snapshot(version: int, accepting: bool) -> LendingSettingsPayload:
        return LendingSettingsPayload(
            institution_id="ORDER-TEST",
            version=version,
            accepting_applications=accepting,
            changed_at=now,
        )

    async def apply(payload: LendingSettingsPayload) -> bool:
        async with transaction(client) as session:
            return await model.apply(payload, session)

    assert await apply(snapshot(2, False))
    assert not await apply(snapshot(1, True))
    assert not await apply(snapshot(2, True))
    stored = await model.settings_of(["ORDER-TEST"])
    assert stored["ORDER-TEST"].version == 2
    assert stored["ORDER-TEST"].accepting_applications is False
    assert await apply(snapshot(3, True))
    await client.drop_database(db.name)
