"""Retention's metrics: purges due and overdue (sampled with the runtime's other
gauges), purge confirmations (counted where they are consumed).

- due: deadlines reached and not yet ordered (the sweeper's next work);
- overdue: purges ordered more than ``OVERDUE_AFTER`` ago that not every owner
  has confirmed, legal holds aside: personal data kept past its deletion date
  (alert EduPurgeOverdue).

Both queries stay cheap on both servers: "due" reads the sweeper's integer
index, "overdue" the (state, …) index, and ordered-but-unconfirmed purges are
few (owners confirm within seconds).
"""

from __future__ import annotations

import datetime as dt

from edu_runtime.runtime import ServiceRuntime
from opentelemetry.instrumentation.utils import suppress_instrumentation

from edu_retention.adapters.store import RetentionStore, now_key
from edu_retention.clock import Clock
from edu_retention.domain.model import DeadlineState

OVERDUE_AFTER = dt.timedelta(days=1)
COUNT_LIMIT = 1_000_000


def track_purges(runtime: ServiceRuntime, store: RetentionStore, clock: Clock) -> None:
    metrics = runtime.metrics
    due = metrics.gauge(
        "edu.retention.purges.due", "{purge}", "Deadlines reached and not yet ordered, sampled."
    )
    overdue = metrics.gauge(
        "edu.retention.purges.overdue",
        "{purge}",
        "Purges ordered more than a day ago and not confirmed by every owner, sampled.",
    )

    async def sample() -> None:
        now = clock.now()
        with suppress_instrumentation():
            due_count = await store.deadlines.count_documents(
                {"sweep_at_ms": {"$lte": now_key(now)}, "state": DeadlineState.SCHEDULED.value},
                limit=COUNT_LIMIT,
            )
            ordered = await store.deadlines.find(
                {"state": DeadlineState.ORDERED.value},
                {"first_ordered_at": 1, "held": 1},
            ).to_list(COUNT_LIMIT)
        cutoff = now - OVERDUE_AFTER
        due.set(due_count)
        overdue.set(
            sum(
                1
                for doc in ordered
                if not doc.get("held")
                and doc.get("first_ordered_at") is not None
                and doc["first_ordered_at"] < cutoff
            )
        )

    runtime.sampler.add("purges", sample)
