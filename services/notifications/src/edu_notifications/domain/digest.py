"""The daily digest to an institution (issue #23): the applications that
became "submitted" on one Riga day, told to the address the school set in its
lending settings at 07:00 Riga time the next morning. Pure rules, no I/O.

- A submission belongs to the Riga day of its status change (``changed_at``
  in Europe/Riga: 21:30 UTC on a summer day is already the next day).
- One digest per institution and day: its key is ``daily_digest:<institution>:<day>``,
  so however often the events are delivered it is queued once; while it waits
  for its morning, each new submission replaces its texts.
- The digest holds the applications' numbers, their count and a link to the
  staff inbox: no personal code, no learner's or applicant's name.
"""

from __future__ import annotations

import datetime as dt

from edu_contracts.applications import ApplicationStatus, StatusChangedPayload
from edu_contracts.documents import Language
from edu_contracts.lending import LendingSettingsPayload
from edu_contracts.notifications import MessageKind
from edu_runtime.pseudonym import redact_personal_codes
from edu_runtime.riga import RIGA, riga_date
from pydantic import BaseModel, ConfigDict

from edu_notifications.domain.messages import Message
from edu_notifications.domain.texts import UNNUMBERED, format_date, render

SEND_AT = dt.time(7, 0)  # Riga time, the morning after the day it tells of
STAFF_INBOX_PATH = "/skola/"  # the portal's staff inbox (edu_portal.staff.inbox)
SUBMITTED_FILTER = "statuss=submitted"  # its filter (query ``statuss``) to the new ones


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InstitutionContact(Frozen):
    """Where an institution wants its digest, from its newest lending settings
    (``email`` None: no digest)."""

    institution_id: str
    email: str | None
    version: int


class Submission(Frozen):
    """One application that became submitted on ``day`` at ``institution_id``."""

    institution_id: str
    day: dt.date
    application_id: str
    reference: str | None


def contact_of(settings: LendingSettingsPayload) -> InstitutionContact:
    return InstitutionContact(
        institution_id=settings.institution_id,
        email=settings.contact_email or None,
        version=settings.version,
    )


def supersedes(known: InstitutionContact | None, incoming: InstitutionContact) -> bool:
    """The newest settings win: an older or repeated snapshot changes nothing."""
    return known is None or incoming.version > known.version


def submission_of(change: StatusChangedPayload) -> Submission | None:
    """The change as a new application for its institution's digest, or None
    when it is not a submission (or names no institution)."""
    if change.to_status is not ApplicationStatus.SUBMITTED or not change.institution_id:
        return None
    return Submission(
        institution_id=change.institution_id,
        day=digest_day(change.changed_at),
        application_id=str(change.application_id),
        reference=change.application_reference,
    )


def digest_day(changed_at: dt.datetime) -> dt.date:
    """The Riga day a change belongs to."""
    return riga_date(changed_at)


def digest_due(day: dt.date) -> dt.datetime:
    """When the digest of ``day`` goes: 07:00 Riga time the next day (UTC)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), SEND_AT, tzinfo=RIGA).astimezone(dt.UTC)


def digest_key(institution_id: str, day: dt.date) -> str:
    return f"{MessageKind.DAILY_DIGEST.value}:{institution_id}:{day.isoformat()}"


def inbox_link(portal: str, language: Language) -> str:
    link = f"{portal.rstrip('/')}{STAFF_INBOX_PATH}?{SUBMITTED_FILTER}"
    return link if language is Language.LV else f"{link}&lang={language.value}"


def daily_digest(
    contact: InstitutionContact,
    day: dt.date,
    submissions: list[Submission],
    portal: str,
    language: Language = Language.LV,
) -> Message | None:
    """The digest of ``day`` for the institution, or None when it has no
    address or nothing was submitted. Numbers in the order given, each once."""
    if contact.email is None:
        return None
    seen: dict[str, str] = {}
    for s in submissions:
        if s.institution_id == contact.institution_id and s.day == day:
            seen.setdefault(s.application_id, s.reference or UNNUMBERED[language])
    if not seen:
        return None
    values = {
        "date": format_date(day, language),
        "count": str(len(seen)),
        "refs": ", ".join(seen.values()),
    }
    link = inbox_link(portal, language)
    kind = MessageKind.DAILY_DIGEST
    subject, text, html = render(kind, language, values, link)
    return Message(
        key=digest_key(contact.institution_id, day),
        kind=kind,
        application_id=None,
        institution_id=contact.institution_id,
        to=contact.email,
        language=language,
        subject=redact_personal_codes(subject),
        text=redact_personal_codes(text),
        html=redact_personal_codes(html),
        link=link,
        not_before=digest_due(day),
    )
