"""The unit of work against the session's real MongoDB: a change and its
events are stored together or not at all, each event keeps the trace it was
emitted in, the relay is woken only after a commit, and a transient
transaction error runs the change again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from edu_contracts.retention import (
    PurgeConfirmed,
    PurgeConfirmedPayload,
    PurgeSubject,
    PurgeSubjectKind,
)
from edu_contracts.services import ServiceName
from edu_runtime.mongo import CODEC_OPTIONS, create_client
from edu_runtime.outbox import Outbox
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork
from edu_tools.backends import Backends
from opentelemetry import propagate
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    TraceFlags,
    get_current_span,
    set_span_in_context,
)
from pymongo.errors import OperationFailure

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736


def confirmation() -> PurgeConfirmed:
    return PurgeConfirmed(
        producer=ServiceName.APPLICATIONS,
        correlation_id="probe",
        payload=PurgeConfirmedPayload(
            order_id=uuid.uuid4(),
            owner=ServiceName.APPLICATIONS,
            subject=PurgeSubject(kind=PurgeSubjectKind.APPLICATION, id="a-1"),
            deleted={"applications": 1},
            confirmed_at=dt.datetime.now(dt.UTC),
        ),
    )


@pytest.fixture
async def db(edu_backends: Backends) -> AsyncIterator[Any]:
    client = create_client(edu_backends.mongo_url, "runtime-tests")
    database: Any = client.get_database(f"uow_{uuid.uuid4().hex[:8]}", codec_options=CODEC_OPTIONS)
    # Created up front: the embedded server rolls back a collection created
    # inside an aborted transaction, and counting a missing one fails there.
    for name in ("things", "outbox"):
        await database.create_collection(name)
    yield database
    await client.drop_database(database.name)
    await client.close()


async def test_change_and_its_events_commit_together_and_wake_the_relay(db: Any) -> None:
    outbox = Outbox(db)
    units = UnitsOfWork(db.client, outbox)
    event = confirmation()
    remote = SpanContext(
        trace_id=TRACE_ID, span_id=0xB7AD6B7169203331, is_remote=True, trace_flags=TraceFlags(1)
    )
    context = set_span_in_context(NonRecordingSpan(remote))

    async def change(uow: UnitOfWork) -> str:
        await db["things"].insert_one({"_id": "t1"}, session=uow.session)
        uow.emit(event, context=context)
        assert not outbox._wake.is_set()  # nothing is woken before the commit
        return "done"

    assert await units.run(change) == "done"
    assert outbox._wake.is_set()
    assert await db["things"].count_documents({}) == 1
    [record] = await db["outbox"].find({}).to_list()
    assert record["_id"] == str(event.event_id)
    carried = propagate.extract(record["trace"])
    assert get_current_span(carried).get_span_context().trace_id == TRACE_ID


async def test_failed_change_writes_neither_state_nor_events(db: Any) -> None:
    outbox = Outbox(db)
    units = UnitsOfWork(db.client, outbox)

    async def change(uow: UnitOfWork) -> None:
        await db["things"].insert_one({"_id": "t1"}, session=uow.session)
        uow.emit(confirmation())
        raise ValueError("the rule said no")

    with pytest.raises(ValueError, match="the rule said no"):
        await units.run(change)
    assert await db["things"].count_documents({}) == 0
    assert await db["outbox"].count_documents({}) == 0
    assert not outbox._wake.is_set()


async def test_transient_transaction_error_runs_the_change_again_once_stored(db: Any) -> None:
    outbox = Outbox(db)
    units = UnitsOfWork(db.client, outbox, backoff_seconds=0)
    attempts = 0

    async def change(uow: UnitOfWork) -> None:
        nonlocal attempts
        attempts += 1
        await db["things"].insert_one({"_id": f"t{attempts}"}, session=uow.session)
        uow.emit(confirmation())
        if attempts == 1:
            raise OperationFailure(
                "write conflict", 112, {"errorLabels": ["TransientTransactionError"]}
            )

    await units.run(change)
    assert attempts == 2
    assert [d["_id"] async for d in db["things"].find({})] == ["t2"]
    assert await db["outbox"].count_documents({}) == 1


async def test_other_errors_are_not_retried(db: Any) -> None:
    units = UnitsOfWork(db.client, Outbox(db))
    attempts = 0

    async def change(uow: UnitOfWork) -> None:
        nonlocal attempts
        attempts += 1
        raise OperationFailure("bad query", 2)

    with pytest.raises(OperationFailure):
        await units.run(change)
    assert attempts == 1
