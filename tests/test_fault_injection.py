"""Fault injection under load, short version of `edu chaos` (edu_tools.chaos):
the services run as processes of their own, supervised like `edu up`; the
applications service (every flow passes through it) and documents (every act and
printout) are killed with SIGKILL while families apply, staff decide, parents
confirm receipt and print "My data"; notifications (every e-mail) is killed
too. Afterwards nothing is lost or duplicated (each accepted submission told
by e-mail once),
nothing is dead-lettered, and every document number is unique. A restarted
service is ready again only after its consumers rejoined their groups (~20 s
here), so the suite kills three. `edu chaos` kills every service and the MongoDB
server: the embedded MongoDB (nx-27017) can lose acknowledged writes when it is
killed (ARCHITECTURE.md, Reliability), so that kill is not in the suite."""

from __future__ import annotations

from edu_tools.chaos import run

VICTIMS = ("applications", "documents", "notifications")


# Runs in `make test` (~120 s with three kills: 118 s here; ~80 s with two). It found, 2026-12-01, an accepted submission
# whose verification request never reached Kafka: the embedded MongoDB kept the
# killed applications process's transaction open, half written (ARCHITECTURE.md,
# Reliability); the next process now rolls it back (edu_runtime.mongo.SessionLedger).
async def test_killing_applications_and_documents_under_load_loses_and_duplicates_nothing() -> None:
    figures = await run(
        families_n=12, rounds=1, interval=2.0, concurrency=6, patience=120, victims=VICTIMS
    )
    print(figures.report())
    assert figures.kills == len(VICTIMS)
    assert figures.submissions > 0
    assert figures.receipts > 0
    assert figures.printouts > 0
    assert figures.lost == [], figures.report()
    assert figures.duplicated == [], figures.report()
    assert figures.dead_letters == 0, figures.report()
    assert figures.emails >= figures.submissions, figures.report()
    assert figures.errors == [], figures.report()
