"""Which messages an event causes (pure functions from an event to messages),
and the deletion notice's date.

Each message has a ``key`` unique to what it tells: the status change it is
about (application and version) or the document. The store refuses a second
message with the same key, so even an event published twice under two event
ids (which the inbox cannot catch) is told once.

No message carries a personal code: the texts hold the application number,
dates and the institution's reason, and the reason (free text typed by staff)
has anything shaped like a personal code masked.
"""

from __future__ import annotations

import calendar
import datetime as dt
from uuid import UUID

from edu_contracts.applications import (
    CLOSED_STATUSES,
    ApplicationStatus,
    IncidentReportedPayload,
    StatusChangedPayload,
)
from edu_contracts.documents import DocumentKind, Language, RenderedPayload
from edu_contracts.notifications import MessageKind
from edu_runtime.pseudonym import redact_personal_codes
from edu_runtime.riga import riga_date, start_of_riga_day
from pydantic import BaseModel, ConfigDict

from edu_notifications.domain.texts import (
    NO_REASON,
    UNNUMBERED,
    format_date,
    render,
)

# The retention rule (edu_retention.domain.rules, seeds part B §5): a closed
# application is deleted 25 months after it closed. The notice goes a month
# before. tests/test_messages.py checks both agree on the date.
RETENTION_MONTHS = 25
NOTICE_MONTHS_BEFORE = 1

STATUS_MESSAGES: dict[ApplicationStatus, MessageKind] = {
    ApplicationStatus.SUBMITTED: MessageKind.SUBMITTED,
    ApplicationStatus.REJECTED: MessageKind.VERIFICATION_REJECTED,
    ApplicationStatus.GRANTED: MessageKind.GRANTED,
    ApplicationStatus.REFUSED: MessageKind.REFUSED,
    ApplicationStatus.POSTPONED: MessageKind.POSTPONED,
    ApplicationStatus.READY_FOR_ISSUE: MessageKind.READY_FOR_ISSUE,
}

DOCUMENT_MESSAGES: dict[DocumentKind, MessageKind] = {
    DocumentKind.HANDOVER_ACT: MessageKind.HANDOVER_ACT_READY,
    DocumentKind.RETURN_ACT: MessageKind.RETURN_RECORDED,
}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(Frozen):
    """Where and how to write about one application: the latest contact the
    applicant gave (a changed address takes effect from the next message)."""

    application_id: UUID
    reference: str | None
    email: str
    language: Language
    version: int


class Message(Frozen):
    key: str
    kind: MessageKind
    # None on a message to an institution about many applications (the daily
    # digest, ``domain/digest.py``), which then names ``institution_id``.
    application_id: UUID | None
    to: str
    language: Language
    subject: str
    text: str
    html: str
    link: str
    not_before: dt.datetime | None = None  # a scheduled message (the deletion notice)
    institution_id: str | None = None


def recipient_of(change: StatusChangedPayload | IncidentReportedPayload) -> Recipient | None:
    if not change.contact_email:
        return None
    return Recipient(
        application_id=change.application_id,
        reference=change.application_reference,
        email=change.contact_email,
        language=change.language or Language.LV,
        version=change.version,
    )


def application_link(portal: str, application_id: UUID, language: Language) -> str:
    link = f"{portal.rstrip('/')}/pieteikumi/{application_id}"
    return link if language is Language.LV else f"{link}?lang={language.value}"


def document_link(portal: str, application_id: UUID, document_id: UUID, language: Language) -> str:
    link = f"{portal.rstrip('/')}/pieteikumi/{application_id}/dokumenti/{document_id}"
    return link if language is Language.LV else f"{link}?lang={language.value}"


def on_status_change(change: StatusChangedPayload, portal: str) -> list[Message]:
    """What to tell the applicant about one status change (nothing before a
    contact address was given, nothing for statuses nobody needs to hear of)."""
    to = recipient_of(change)
    if to is None:
        return []
    messages: list[Message] = []
    kind = STATUS_MESSAGES.get(change.to_status)
    if kind is not None:
        values = _values(to, change.language or Language.LV)
        if kind in {MessageKind.REFUSED, MessageKind.POSTPONED}:
            values["reason"] = (
                redact_personal_codes(change.reason or "").strip() or (NO_REASON[to.language])
            )
        if kind is MessageKind.POSTPONED:
            values["until"] = (
                format_date(change.postponed_until, to.language)
                if change.postponed_until
                else NO_REASON[to.language]
            )
        link = application_link(portal, change.application_id, to.language)
        messages.append(
            _message(
                f"{kind.value}:{change.application_id}:v{change.version}", kind, to, values, link
            )
        )
    if change.to_status in CLOSED_STATUSES:
        messages.append(deletion_notice(change, to, portal))
    return messages


def on_incident_reported(report: IncidentReportedPayload, portal: str) -> list[Message]:
    """A loss or theft report: acknowledge it (what follows is the institution's)."""
    to = recipient_of(report)
    if to is None:
        return []
    link = application_link(portal, report.application_id, to.language)
    kind = MessageKind.LOSS_REPORTED
    return [
        _message(f"{kind.value}:{report.incident_id}", kind, to, _values(to, to.language), link)
    ]


def deletion_notice(change: StatusChangedPayload, to: Recipient, portal: str) -> Message:
    """A month before the application is deleted, sent then (``not_before``).
    One per application: a later closing replaces it."""
    closed_on = change.effective_date or riga_date(change.changed_at)
    deleted_on = deletion_date(closed_on)
    values = _values(to, to.language)
    values["date"] = format_date(deleted_on, to.language)
    link = application_link(portal, change.application_id, to.language)
    return _message(
        deletion_key(change.application_id),
        MessageKind.DELETION_NOTICE,
        to,
        values,
        link,
        not_before=start_of_riga_day(add_months(deleted_on, -NOTICE_MONTHS_BEFORE)),
    )


def deletion_key(application_id: UUID) -> str:
    return f"{MessageKind.DELETION_NOTICE.value}:{application_id}"


def reopens(change: StatusChangedPayload) -> bool:
    """A change out of a closed status: the deletion no longer stands."""
    return change.to_status not in CLOSED_STATUSES


def on_document_rendered(rendered: RenderedPayload, to: Recipient, portal: str) -> list[Message]:
    """A handover or return act is ready: tell the applicant where to find it."""
    kind = DOCUMENT_MESSAGES.get(rendered.kind)
    if kind is None or rendered.application_id is None:
        return []
    link = document_link(portal, rendered.application_id, rendered.document_id, to.language)
    values = _values(to, to.language)
    return [_message(f"{kind.value}:{rendered.document_id}", kind, to, values, link)]


def deletion_date(closed_on: dt.date) -> dt.date:
    return add_months(closed_on, RETENTION_MONTHS)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _values(to: Recipient, language: Language) -> dict[str, str]:
    return {"ref": to.reference or UNNUMBERED[language]}


def _message(
    key: str,
    kind: MessageKind,
    to: Recipient,
    values: dict[str, str],
    link: str,
    not_before: dt.datetime | None = None,
) -> Message:
    subject, text, html = render(kind, to.language, values, link)
    return Message(
        key=key,
        kind=kind,
        application_id=to.application_id,
        to=to.email,
        language=to.language,
        # The texts around the values are ours; a last pass over the whole
        # message keeps anything shaped like a personal code out of it.
        subject=redact_personal_codes(subject),
        text=redact_personal_codes(text),
        html=redact_personal_codes(html),
        link=link,
        not_before=not_before,
    )
