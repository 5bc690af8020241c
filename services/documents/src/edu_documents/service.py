"""What the service does on a render command and on a purge order: the
orchestration between rendering, storage and the outbox (the Kafka handlers
and the benchmark call this)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from edu_contracts.documents import (
    Rendered,
    RenderedPayload,
    RenderFailed,
    RenderFailedPayload,
    RenderRequested,
)
from edu_contracts.refusals import Conflict, NotFound
from edu_contracts.retention import PurgeConfirmed, PurgeConfirmedPayload, PurgeOrdered
from edu_contracts.services import ServiceName
from edu_runtime.auth import Identity, Role
from edu_runtime.projection import project
from edu_runtime.pseudonym import Pseudonymizer
from edu_runtime.riga import RIGA
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork
from opentelemetry.context import Context
from pymongo.errors import BulkWriteError, DuplicateKeyError

from edu_documents.adapters.store import DocumentStore
from edu_documents.domain.model import DocumentRecord, DocumentStatus, may_read
from edu_documents.domain.policy import institution_of, refusal
from edu_documents.rendering import RenderError, render_content

log = logging.getLogger(__name__)
Renderer = Callable[..., bytes]  # render_content's signature: (content, *, number, language)
RENDER_CONSUMER = "render-commands"  # consumer group name; idempotent by document id
PURGE_CONSUMER = "purge-orders"


class DocumentService:
    def __init__(
        self,
        runtime: ServiceRuntime,
        store: DocumentStore,
        *,
        renderer: Renderer = render_content,
    ) -> None:
        self._render = renderer
        self.runtime = runtime
        self.store = store
        self.pseudonym = Pseudonymizer(runtime.settings.pseudonym_key.get_secret_value().encode())
        self.purge_inbox = runtime.inbox(PURGE_CONSUMER)
        # ReportLab keeps per-document font state in module globals: one render
        # at a time, off the event loop so HTTP and Kafka stay responsive.
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")

    async def in_renderer(self, work: Callable[[], bytes]) -> bytes:
        """Run a ReportLab render on the render thread."""
        return await asyncio.get_running_loop().run_in_executor(self._renderer, work)

    def close(self) -> None:
        self._renderer.shutdown(wait=False, cancel_futures=True)

    async def render(self, command: RenderRequested) -> bool:
        """Apply one render command; False when it changed nothing (a
        redelivery, or a document with this id exists already)."""
        return bool(await self.render_many([(command, None)]))

    async def render_many(
        self, commands: Sequence[tuple[RenderRequested, Context | None]]
    ) -> list[DocumentRecord]:
        """Apply render commands together (what Kafka had for the consumer):
        each PDF rendered in turn on the render thread, then every record with
        its PDF and every event saved in one unit of work, so a batch pays the
        database's round trips once. Each event continues its command's trace
        (``context``; None: the current one). Returns the records stored or
        announced; a command already applied is left out.

        The document id is the idempotency key: its record goes in with its
        event, so a second delivery (the same event, or the requester's retry
        with a new event id) fails on the unique _id and changes nothing.
        There is no "seen before?" look-up: duplicates are rare, and one is
        only looked for when the insert says there is one."""
        todo: dict[str, tuple[RenderRequested, Context | None]] = {}
        for command, context in commands:  # one document per id, even within a batch
            todo.setdefault(str(command.payload.document_id), (command, context))
        purged = await self.store.purged_among(
            [subject for command, _ in todo.values() for subject in _subjects(command)]
        )
        now = dt.datetime.now(dt.UTC)
        outcomes = [
            await self._outcome(command, context, now, purged) for command, context in todo.values()
        ]
        while outcomes:
            try:
                await self._save(outcomes)
                break
            except (DuplicateKeyError, BulkWriteError) as exc:
                if not _duplicate_key(exc):
                    raise
                done = await self.store.existing([o.record.id for o in outcomes if o.keep])
                if not done:
                    raise
                outcomes = [o for o in outcomes if o.record.id not in done]
        for o in outcomes:
            record = o.record
            if record.status is DocumentStatus.RENDERED:
                log.info(
                    "document rendered",
                    extra={
                        "document_id": record.id,
                        "number": record.number,
                        "kind": record.kind.value,
                    },
                )
            else:
                reason = record.failure_reason
                log.warning(
                    "document not rendered", extra={"document_id": record.id, "reason": reason}
                )
        return [o.record for o in outcomes]

    async def _outcome(
        self,
        command: RenderRequested,
        context: Context | None,
        now: dt.datetime,
        purged: set[tuple[str, str]],
    ) -> _Outcome:
        """What one command comes to: a rendered document, or a failure."""
        payload = command.payload
        reason = refusal(payload) or (
            "subject_purged" if purged.intersection(_subjects(command)) else None
        )
        if reason is None:
            kind = payload.content.kind
            number = await self.store.next_number(kind, now.astimezone(RIGA).year)
            try:
                pdf = await self.in_renderer(
                    lambda: self._render(payload.content, number=number, language=payload.language)
                )
            except RenderError as exc:
                reason = exc.reason
            else:
                record = self._record(
                    command,
                    now,
                    number=number,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    size_bytes=len(pdf),
                )
                return _Outcome(command, record, pdf, context)
        # A purged subject is only announced: keeping a record (with the reader's
        # pseudonym) would bring back a trace of what was purged.
        record = self._record(command, now, failure_reason=reason)
        return _Outcome(command, record, None, context, keep=reason != "subject_purged")

    def _record(
        self,
        command: RenderRequested,
        now: dt.datetime,
        *,
        number: str | None = None,
        sha256: str | None = None,
        size_bytes: int | None = None,
        failure_reason: str | None = None,
    ) -> DocumentRecord:
        """What is stored about the command's document: rendered, or failed."""
        payload = command.payload
        return DocumentRecord(
            id=str(payload.document_id),
            kind=payload.content.kind,
            status=DocumentStatus.FAILED if failure_reason else DocumentStatus.RENDERED,
            number=number,
            reader=self.pseudonym(payload.reader_code),
            institution_id=institution_of(payload),
            application_id=str(payload.application_id) if payload.application_id else None,
            language=payload.language,
            sha256=sha256,
            size_bytes=size_bytes,
            failure_reason=failure_reason,
            created_at=now,
        )

    async def _save(self, outcomes: Sequence[_Outcome]) -> None:
        """The outcomes' records (with their PDFs) and events, as one unit of work."""

        async def save(uow: UnitOfWork) -> None:
            kept = [(o.record, o.pdf) for o in outcomes if o.keep]
            if kept:
                await self.store.insert_many(kept, uow.session)
            for o in outcomes:
                uow.emit(outcome_event(o.command, o.record), context=o.context)

        await self.runtime.unit_of_work(save)

    # --- reading (HTTP) -------------------------------------------------------
    # Access rule: the citizen a document concerns (by the pseudonym of their
    # personal code) and staff of its institution; anybody else is told the
    # same as for a document that does not exist.

    async def documents_of(
        self, identity: Identity, application_id: str | None, *, limit: int, offset: int
    ) -> tuple[list[DocumentRecord], int]:
        """Citizens: the documents that concern them. Staff: their institution's."""
        if identity.role is Role.STAFF and identity.institution_id:
            return await self.store.list_for_institution(
                identity.institution_id, application_id, limit=limit, offset=offset
            )
        return await self.store.list_for_reader(
            self.pseudonym(identity.personal_code), application_id, limit=limit, offset=offset
        )

    async def document(self, identity: Identity, document_id: str) -> DocumentRecord | None:
        """The document's record; None while nothing is known about the id yet
        (its command not applied: poll again)."""
        record = await self.store.get(document_id)
        if record is not None and not self._readable(record, identity):
            raise _not_found()
        return record

    async def download(self, identity: Identity, document_id: str) -> tuple[DocumentRecord, bytes]:
        """The PDF, once rendered; every download is logged."""
        record = await self.store.get(document_id)
        if record is None or not self._readable(record, identity):
            raise _not_found()
        if record.number is None:
            raise Conflict(
                "document_not_rendered",
                "This document could not be rendered.",
                failure_reason=record.failure_reason,
            )
        pdf = await self.store.read_pdf(record.id)
        if pdf is None:  # purged between the two reads
            raise _not_found()
        await self.store.log_download(
            record.id,
            viewer=self.pseudonym(identity.personal_code),
            role=identity.role.value,
            at=dt.datetime.now(dt.UTC),
        )
        return record, pdf

    async def issued(self, number: str, sha256: str) -> DocumentRecord | None:
        """The document issued with this number and digest, if any (verification
        by anyone: the answer says nothing personal)."""
        return await self.store.find_issued(number, sha256)

    def _readable(self, record: DocumentRecord, identity: Identity) -> bool:
        return may_read(
            record,
            role=identity.role.value,
            reader=self.pseudonym(identity.personal_code),
            institution_id=identity.institution_id,
        )

    async def purge(self, order: PurgeOrdered) -> bool:
        """Delete what the order names (records with their PDFs, the download
        log) and confirm with counts only, in one transaction. A repeated order
        finds nothing and confirms zeros."""
        payload = order.payload
        if ServiceName.DOCUMENTS not in payload.owners:
            return False
        if await self.purge_inbox.seen(order.event_id):
            return False
        subject = payload.subject
        ids = await self.store.ids_of_subject(subject.kind.value, subject.id)
        now = dt.datetime.now(dt.UTC)

        async def commit(uow: UnitOfWork) -> None:
            records = await self.store.delete_records(ids, uow.session)
            downloads = await self.store.delete_downloads(ids, uow.session)
            await self.store.mark_purged(subject.kind.value, subject.id, now, uow.session)
            uow.emit(
                PurgeConfirmed(
                    producer=ServiceName.DOCUMENTS,
                    correlation_id=order.correlation_id,
                    causation_id=order.event_id,
                    payload=PurgeConfirmedPayload(
                        order_id=payload.order_id,
                        owner=ServiceName.DOCUMENTS,
                        subject=subject,
                        deleted={
                            "documents": records,
                            "downloads": downloads,
                        },
                        confirmed_at=now,
                    ),
                ),
            )

        return await self.purge_inbox.apply_once(order.event_id, commit)


def outcome_event(command: RenderRequested, record: DocumentRecord) -> Rendered | RenderFailed:
    """The announcement of a render command's outcome, from its record."""
    payload = command.payload
    reply: dict[str, Any] = {
        "producer": ServiceName.DOCUMENTS,
        "correlation_id": command.correlation_id,
        "causation_id": command.event_id,
    }
    ids = {"document_id": payload.document_id, "application_id": payload.application_id}
    if record.status is DocumentStatus.FAILED:
        return RenderFailed(
            **reply,
            payload=project(
                RenderFailedPayload,
                record,
                **ids,
                reason=record.failure_reason or "unknown",
                failed_at=record.created_at,
            ),
        )
    return Rendered(
        **reply, payload=project(RenderedPayload, record, **ids, rendered_at=record.created_at)
    )


@dataclass(frozen=True)
class _Outcome:
    """A render command's result, waiting to be saved with the others of its batch."""

    command: RenderRequested
    record: DocumentRecord
    pdf: bytes | None
    context: Context | None
    keep: bool = True  # False: announce only, keep no record


def _duplicate_key(exc: DuplicateKeyError | BulkWriteError) -> bool:
    """A record with one of the ids exists (a bulk insert reports it per write)."""
    if isinstance(exc, DuplicateKeyError):
        return True
    return any(error.get("code") == 11000 for error in exc.details.get("writeErrors", ()))


def _subjects(command: RenderRequested) -> list[tuple[str, str]]:
    """The purge subjects a command's document belongs to."""
    payload = command.payload
    subjects = [("document", str(payload.document_id))]
    if payload.application_id is not None:
        subjects.append(("application", str(payload.application_id)))
    return subjects


def _not_found() -> NotFound:
    return NotFound("document_not_found", "No such document.")
