"""The times a citizen waits for, as metrics (alert EduHandoverActSlow, the
overview dashboard):

- verification: submission → the registry's verdict applied;
- receipt → act: receipt confirmed (or return recorded) → its act rendered and
  linked to the application, by act kind.

Both are read from the application as stored before the change (its history and
its linked documents), so they need no extra query. Callers record them after
the unit of work committed, so a retried transaction is not counted twice.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from edu_contracts.applications import ApplicationStatus
from edu_runtime.metrics import ServiceMetrics

from edu_applications.domain.model import Application


class FlowTimings:
    def __init__(self, metrics: ServiceMetrics) -> None:
        self._verification = metrics.histogram(
            "edu.applications.verification.duration",
            "s",
            "From an application's submission to the registry's verdict applied.",
        )
        self._receipt_to_act = metrics.histogram(
            "edu.applications.receipt_to_act.duration",
            "s",
            "From receipt confirmed (or return recorded) to its act rendered and linked.",
        )

    def verdict_applied(self, before: Application, at: dt.datetime) -> None:
        submitted = next(
            (
                t.at
                for t in reversed(before.history)
                if t.to_status is ApplicationStatus.BEING_VERIFIED
            ),
            None,
        )
        if submitted is not None:
            self._verification.record(max((at - submitted).total_seconds(), 0.0))

    def act_linked(self, before: Application, document_id: UUID, at: dt.datetime) -> None:
        linked = next((d for d in before.documents if d.document_id == document_id), None)
        if linked is not None:
            self._receipt_to_act.record(
                max((at - linked.requested_at).total_seconds(), 0.0),
                {"edu.document.kind": linked.kind.value},
            )
