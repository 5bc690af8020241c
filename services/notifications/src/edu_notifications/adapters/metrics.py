"""Notifications' sampled gauges: the delivery backlog (due messages not yet
sent), of it the messages being retried, and the age of the oldest due one
(alert EduNotificationsStalled when it grows: delivery has stopped). The
counters (sent, failed, retries) are counted where they happen, in the sender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from edu_runtime.runtime import ServiceRuntime
from opentelemetry.instrumentation.utils import suppress_instrumentation

from edu_notifications.adapters.store import NotificationStore


def track_delivery(
    runtime: ServiceRuntime, store: NotificationStore, clock: Callable[[], dt.datetime]
) -> None:
    metrics = runtime.metrics
    backlog = metrics.gauge(
        "edu.notifications.backlog", "{message}", "Due messages not yet delivered, sampled."
    )
    retrying = metrics.gauge(
        "edu.notifications.retrying", "{message}", "Messages waiting for another try, sampled."
    )
    oldest = metrics.gauge(
        "edu.notifications.oldest_due.age",
        "s",
        "Seconds since the oldest undelivered due message became due (0 when none), sampled.",
    )

    async def sample() -> None:
        now = clock()
        with suppress_instrumentation():
            counts = await store.counts(now)
        backlog.set(counts["backlog"])
        retrying.set(counts["retrying"])
        due_at = counts["oldest_due_at"]
        oldest.set((now - due_at).total_seconds() if due_at is not None else 0.0)

    runtime.sampler.add("notifications", sample)
