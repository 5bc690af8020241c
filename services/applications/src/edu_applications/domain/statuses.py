"""The application state machine: statuses, their Latvian and English labels
(from ``edu_contracts.labels``), and which transitions exist. Everything else asks this module."""

from __future__ import annotations

from edu_contracts.applications import ApplicationStatus as S
from edu_contracts.documents import Language
from edu_contracts.labels import APPLICATION_STATUS

from edu_applications.domain.errors import IllegalTransition

LABELS = APPLICATION_STATUS
"""The words of each status (``edu_contracts.labels``, shared with the portal)."""

WITHDRAWABLE = frozenset(
    {S.DRAFT, S.BEING_VERIFIED, S.SUBMITTED, S.POSTPONED, S.GRANTED, S.READY_FOR_ISSUE}
)

TRANSITIONS: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.BEING_VERIFIED, S.WITHDRAWN}),
    S.BEING_VERIFIED: frozenset({S.SUBMITTED, S.REJECTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.GRANTED, S.REFUSED, S.POSTPONED, S.WITHDRAWN}),
    S.POSTPONED: frozenset({S.GRANTED, S.REFUSED, S.POSTPONED, S.WITHDRAWN}),
    S.GRANTED: frozenset({S.READY_FOR_ISSUE, S.WITHDRAWN}),
    S.READY_FOR_ISSUE: frozenset({S.ISSUED, S.WITHDRAWN}),
    S.ISSUED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
    S.REFUSED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

OPEN = frozenset(
    {S.BEING_VERIFIED, S.SUBMITTED, S.POSTPONED, S.GRANTED, S.READY_FOR_ISSUE, S.ISSUED}
)
"""Statuses that block a second application for the same learner and resource type."""

EDITABLE_CONTACT = frozenset(OPEN | {S.DRAFT})


def label(status: S, language: Language = Language.LV) -> str:
    return LABELS[status][language]


def ensure_transition(current: S, target: S) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            "illegal_transition",
            f"An application in status '{label(current, Language.EN)}' cannot become "
            f"'{label(target, Language.EN)}'.",
            current_status=current.value,
            current_status_label=label(current),
        )
