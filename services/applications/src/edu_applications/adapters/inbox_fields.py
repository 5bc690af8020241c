"""Top-level copies of what the staff inbox and the issued-items list filter
and sort on, written with every application (``store.to_doc``) so that those
lists are filtered, sorted and paged by the database.

Equality only: the embedded MongoDB (nx-27017) answers an aggregation of
equality matches, ``$sort``, ``$skip`` and ``$limit`` in a few milliseconds
from SQLite, but scans everything for ``$in`` on other fields than ``_id``,
for ``$ne`` and for date ranges, and ``count_documents`` costs hundreds of
milliseconds (measured: ARCHITECTURE.md). Hence ``inbox_institution`` (set only
when staff may see the application: never for drafts) instead of
``status != draft``, ``has_item`` instead of a list of statuses, and
``awaiting_item`` (the stock a granted application without an item waits
on, as one string) so that the stock's awaiting counts are one ``$group`` on
a single field: reading the granted applications themselves cost the inbox
page ~50 ms of the server's CPU per 600 of them, and nx-27017 groups a
compound ``_id`` of field paths as literal strings (measured)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_contracts.applications import ApplicationStatus

from edu_applications.domain.items import stock_key_of
from edu_applications.domain.model import Application

QUERY_FIELDS = frozenset(
    {
        "inbox_institution",
        "class_group",
        "resource_type",
        "open_incident",
        "has_item",
        "awaiting_item",
        "submitted_at",
        "issued_at",
    }
)


def _first_transition(app: Application, status: ApplicationStatus) -> dt.datetime | None:
    return next((t.at for t in app.history if t.to_status is status), None)


def _awaiting_item(app: Application) -> str:
    # Empty, never null: the backfill finds applications stored before this
    # field by ``$exists: false``, which nx-27017 also answers for a null
    # field (measured).
    if app.status is not ApplicationStatus.GRANTED or app.item is not None or not app.resource:
        return ""
    key = stock_key_of(app.resource.resource_type, app.resource.target_group)
    return key.code if key is not None else ""


def query_fields(app: Application) -> dict[str, Any]:
    visible = app.status is not ApplicationStatus.DRAFT
    institution = app.institution
    return {
        "inbox_institution": app.institution_id if visible else None,
        "class_group": institution.class_group if institution else None,
        "resource_type": app.resource.resource_type if app.resource else None,
        "open_incident": any(i.is_open for i in app.incidents),
        "has_item": app.item is not None,
        "awaiting_item": _awaiting_item(app),
        "submitted_at": _first_transition(app, ApplicationStatus.BEING_VERIFIED),
        "issued_at": _first_transition(app, ApplicationStatus.ISSUED),
    }
