"""Education resource applications end to end, against the real services and
the embedded Kafka and MongoDB: every role through the whole life, the illegal
transitions, cross-tenant access, concurrency and bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from edu_retention.domain.rules import application_purge_date
from edu_runtime.riga import start_of_riga_day
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer

from tests.conftest import Stack
from tests.flows import (
    APPS,
    STAFF,
    Actors,
    accept_terms,
    complete_draft,
    linked,
    ok,
    pdf_text,
    purge_planned,
    ready_with_item,
    refused,
    register_item,
    staff_post,
    submitted,
    wait_status,
)


async def test_parent_walks_the_whole_life_with_handover_incident_and_return(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    app = await submitted(stack, a)
    assert app["learner"]["full_name"] == "Jānis Bērziņš"
    assert app["status_label"] == "Iesniegts"

    later = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    app = await staff_post(
        stack,
        a,
        app,
        "decision",
        {"decision": "postpone", "reason": "Gaidām piegādi", "postponed_until": later},
    )
    assert app["status"] == "postponed"
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    assert app["status"] == "granted"
    app, item = await ready_with_item(stack, a, app, serial_number=f"PF3-{app['id'][:8]}")
    assert app["status"] == "ready_for_issue"
    assert app["status_label"] == "Gatavs izsniegšanai"

    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=a.parent,
        )
    )
    assert app["status"] == "issued"
    act = await linked(stack, app["id"], a.parent, "handover_act")
    assert len(act["sha256"]) == 64
    text = await pdf_text(stack, act["document_id"], a.parent)
    for expected in (
        "Līga Bērziņa",
        "Jānis Bērziņš",
        item["inventory_number"],
        item["serial_number"],
    ):
        assert expected in text
    # The institution's staff can read the act too; a stranger cannot.
    assert (
        await stack.documents.client.get(
            f"/api/v1/documents/{act['document_id']}/pdf", headers=a.staff
        )
    ).status_code == 200
    assert (
        await stack.documents.client.get(
            f"/api/v1/documents/{act['document_id']}/pdf", headers=a.stranger
        )
    ).status_code == 404

    app = await ok(await c.get(f"{APPS}/{app['id']}", headers=a.parent))
    created = await ok(
        await c.post(
            f"{APPS}/{app['id']}/incidents",
            json={
                "version": app["version"],
                "kind": "stolen",
                "description": "Nozagts no skolas somas autobusā",
            },
            headers=a.parent,
        ),
        201,
    )
    incident_id = created["incident"]["id"]
    listed = await ok(await c.get(STAFF, params={"incident": "open"}, headers=a.staff))
    assert app["id"] in [i["id"] for i in listed["items"]]
    app = await staff_post(
        stack, a, app, f"incidents/{incident_id}/close", {"note": "Iesniegts ziņojums policijā"}
    )
    assert app["incidents"][0]["closing_note"] == "Iesniegts ziņojums policijā"

    app = await staff_post(stack, a, app, "return", {"condition": "stolen", "note": "Nozagts"})
    assert app["status"] == "returned"
    await linked(stack, app["id"], a.parent, "return_act")
    history = [h["to_status"] for h in app["history"]]
    assert history == [
        "draft",
        "being_verified",
        "submitted",
        "postponed",
        "granted",
        "ready_for_issue",
        "issued",
        "returned",
    ]
    assert {h["actor_role"] for h in app["history"]} == {"citizen", "system", "staff"}

    # Closing starts retention's clock: asked through its operator interface (a
    # dry run, nothing is ordered), the purge is planned for Riga midnight 25
    # months after the day the device came back, for both owners.
    closed_on = dt.date.fromisoformat(app["return_record"]["returned_on"])
    due_at = start_of_riga_day(application_purge_date(closed_on))
    planned = await purge_planned(stack, app["id"], due_at)
    assert dt.datetime.fromisoformat(planned["due_at"]) == due_at
    assert sorted(planned["owners"]) == ["applications", "documents"]


async def test_refused_and_withdrawn(stack: Stack, actors: Actors) -> None:
    a, c = actors, stack.applications.client
    app = await submitted(stack, a)
    body = await refused(
        await c.post(
            f"{STAFF}/{app['id']}/decision",
            json={"version": app["version"], "decision": "refuse"},
            headers=a.staff,
        ),
        422,
        "reason_required",
    )
    assert "reason" in body["detail"]
    app = await staff_post(
        stack, a, app, "decision", {"decision": "refuse", "reason": "Resursi beigušies"}
    )
    assert app["status"] == "refused"
    assert app["status_label"] == "Atteikts"

    # A refused application frees the slot: the learner may apply again, then withdraw.
    again = await submitted(stack, a)
    withdrawn = await ok(
        await c.post(
            f"{APPS}/{again['id']}/withdraw",
            json={"version": again["version"], "reason": "Vairs nevajag"},
            headers=a.parent,
        )
    )
    assert withdrawn["status"] == "withdrawn"
    await refused(
        await c.post(
            f"{APPS}/{again['id']}/withdraw",
            json={"version": withdrawn["version"]},
            headers=a.parent,
        ),
        409,
        "illegal_transition",
    )


async def test_verification_rejects_when_the_registers_disagree(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    await accept_terms(stack, a.parent)
    app = await complete_draft(stack, a, a.parent)
    # Between the wizard and the submit the child leaves the school.
    registry = stack.db(stack.registry_settings)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    result = await registry.enrolments.update_many(
        {"learner_code": a.world.child.code, "institution_id": a.world.institution_id},
        {"$set": {"enrolled_to": yesterday}},
    )
    assert result.modified_count == 1
    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=a.parent
        ),
        202,
    )
    app = await wait_status(stack, app["id"], a.parent, "rejected")
    assert "not_enrolled" in app["rejection_reasons"]
    assert app["status_label"] == "Noraidīts pārbaudē"


async def test_adult_learner_and_employee_apply_for_themselves(
    stack: Stack, actors: Actors
) -> None:
    a = actors
    w = a.world
    app = await submitted(
        stack,
        a,
        headers=a.adult,
        role="adult_learner",
        institution=w.other_institution_id,
        offer=f"{w.other_institution_id}-LAPTOP",
    )
    assert app["learner"]["personal_code"] == w.adult_learner.code
    app = await submitted(stack, a, headers=a.employee_citizen, role="employee")
    assert app["role"] == "employee"
    # Someone enrolled nowhere cannot start as an adult learner: 403, the
    # caller's standing (the request itself is as its document says).
    await accept_terms(stack, a.stranger)
    await refused(
        await stack.applications.client.post(
            APPS, json={"role": "adult_learner"}, headers=a.stranger
        ),
        403,
        "not_enrolled",
    )


async def test_illegal_transitions_answer_409_with_the_current_status(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    app = await submitted(stack, a)
    body = await refused(
        await c.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=a.parent,
        ),
        409,
        "illegal_transition",
    )
    assert body["extra"]["current_status"] == "submitted"
    laptop = await register_item(stack, a, f"INV-{app['id'][:8]}")
    await refused(
        await c.post(
            f"{STAFF}/{app['id']}/item-reservation",
            json={"version": app["version"], "item_id": laptop["item_id"]},
            headers=a.staff,
        ),
        409,
        "illegal_transition",
    )
    # An item typed in by hand is not taken: only the register's items are lent.
    typed = await c.post(
        f"{STAFF}/{app['id']}/ready-for-issue",
        json={
            "version": app["version"],
            "model": "M",
            "inventory_number": "I",
            "serial_number": "S",
        },
        headers=a.staff,
    )
    assert typed.status_code in (404, 405), typed.text
    await refused(
        await c.post(
            f"{STAFF}/{app['id']}/return",
            json={"version": app["version"], "condition": "good"},
            headers=a.staff,
        ),
        409,
        "illegal_transition",
    )
    await refused(
        await c.post(
            f"{APPS}/{app['id']}/incidents",
            json={
                "version": app["version"],
                "kind": "lost",
                "description": "Pazaudēts parkā vakar",
            },
            headers=a.parent,
        ),
        409,
        "not_issued",
    )
    await refused(
        await c.put(
            f"{APPS}/{app['id']}/social-status",
            json={"version": app["version"], "socially_supported": False},
            headers=a.parent,
        ),
        409,
        "not_a_draft",
    )


async def test_other_people_and_other_institutions_get_404(stack: Stack, actors: Actors) -> None:
    a, c = actors, stack.applications.client
    app = await submitted(stack, a)
    await refused(
        await c.get(f"{APPS}/{app['id']}", headers=a.stranger), 404, "application_not_found"
    )
    await refused(
        await c.post(
            f"{APPS}/{app['id']}/withdraw", json={"version": app["version"]}, headers=a.stranger
        ),
        404,
        "application_not_found",
    )
    await refused(
        await c.get(f"{STAFF}/{app['id']}", headers=a.other_staff), 404, "application_not_found"
    )
    await refused(
        await c.post(
            f"{STAFF}/{app['id']}/decision",
            json={"version": app["version"], "decision": "grant"},
            headers=a.other_staff,
        ),
        404,
        "application_not_found",
    )
    listed = await ok(await c.get(STAFF, headers=a.other_staff))
    assert app["id"] not in [i["id"] for i in listed["items"]]
    # Roles are not interchangeable.
    await refused(await c.get(STAFF, headers=a.parent), 403, "staff_only")
    await refused(await c.get(APPS, headers=a.staff), 403, "citizens_only")
    # Drafts are private to the applicant, even for the institution's staff.
    draft = await ok(
        await c.post(
            APPS,
            json={"role": "parent_or_guardian", "learner_code": a.world.child.code},
            headers=a.parent,
        ),
        201,
    )
    draft = await ok(
        await c.put(
            f"{APPS}/{draft['id']}/institution",
            json={"version": draft["version"], "institution_id": a.world.institution_id},
            headers=a.parent,
        )
    )
    await refused(
        await c.get(f"{STAFF}/{draft['id']}", headers=a.staff), 404, "application_not_found"
    )


async def test_stale_versions_and_one_open_application_per_resource_type(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    app = await submitted(stack, a)
    body = await refused(
        await c.patch(
            f"{APPS}/{app['id']}/contact",
            json={"version": app["version"] - 1, "phone": "+37129999999", "email": "a@b.lv"},
            headers=a.parent,
        ),
        409,
        "stale_version",
    )
    assert body["extra"]["current_version"] == app["version"]
    # A second laptop application for the same child is refused, naming the open one.
    second = await ok(
        await c.post(
            APPS,
            json={"role": "parent_or_guardian", "learner_code": a.world.child.code},
            headers=a.parent,
        ),
        201,
    )
    url = f"{APPS}/{second['id']}"
    second = await ok(
        await c.put(
            f"{url}/institution",
            json={"version": second["version"], "institution_id": a.world.institution_id},
            headers=a.parent,
        )
    )
    second = await ok(
        await c.put(
            f"{url}/social-status",
            json={"version": second["version"], "socially_supported": False},
            headers=a.parent,
        )
    )
    body = await refused(
        await c.put(
            f"{url}/resource",
            json={"version": second["version"], "offer_id": a.world.laptop_offer},
            headers=a.parent,
        ),
        409,
        "open_application_exists",
    )
    assert body["extra"]["application_id"] == app["id"]
    # ... while a tablet (socially supported only) needs the supported status.
    await refused(
        await c.put(
            f"{url}/resource",
            json={"version": second["version"], "offer_id": a.world.tablet_offer},
            headers=a.parent,
        ),
        422,
        "target_group_mismatch",
    )


async def test_terms_representation_and_bad_input(
    stack: Stack, actors: Actors, gateway: GatewayKeys
) -> None:
    a, c = actors, stack.applications.client
    newcomer = bearer(gateway.mint(a.world.stranger.code))
    await refused(
        await c.post(APPS, json={"role": "adult_learner"}, headers=newcomer),
        403,
        "terms_not_accepted",
    )
    await accept_terms(stack, a.stranger)
    await refused(
        await c.post(
            APPS,
            json={"role": "parent_or_guardian", "learner_code": a.world.child.code},
            headers=a.stranger,
        ),
        403,
        "not_represented",
    )
    await accept_terms(stack, a.parent)
    r = await c.post(
        APPS, json={"role": "parent_or_guardian", "learner_code": "140386-11017"}, headers=a.parent
    )
    assert (r.status_code, r.json()["reason"]) == (422, "personal_code_checksum")
    assert "140386-11017" not in r.text  # never echoed back
    r = await c.post(APPS, json={"role": "king"}, headers=a.parent)
    assert r.status_code == 422
    app = await ok(
        await c.post(
            APPS,
            json={"role": "parent_or_guardian", "learner_code": a.world.child.code},
            headers=a.parent,
        ),
        201,
    )
    r = await c.patch(
        f"{APPS}/{app['id']}/contact",
        json={"version": app["version"], "phone": "abc", "email": "not-an-email"},
        headers=a.parent,
    )
    assert r.status_code == 422
    assert r.json()["reason"] == "validation_error"
    await refused(
        await c.put(
            f"{APPS}/{app['id']}/institution",
            json={"version": app["version"], "institution_id": a.world.closed_institution_id},
            headers=a.parent,
        ),
        409,
        "institution_not_accepting",
    )
    await refused(
        await c.put(
            f"{APPS}/{app['id']}/institution",
            json={"version": app["version"], "institution_id": a.world.other_institution_id},
            headers=a.parent,
        ),
        422,
        "institution_not_available",
    )
    body = await refused(
        await c.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=a.parent
        ),
        409,
        "application_incomplete",
    )
    assert body["extra"]["missing"][0] == "institution"
    await refused(await c.get(APPS, params={"limit": 1000}, headers=a.parent), 422, "bad_page")
    # Nothing was half-written: the draft is still at its first version.
    assert (await ok(await c.get(f"{APPS}/{app['id']}", headers=a.parent)))["version"] == app[
        "version"
    ]


async def test_lists_are_paginated_newest_first_and_staff_can_search_by_name(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    first = await submitted(stack, a)
    await ok(
        await c.post(
            f"{APPS}/{first['id']}/withdraw", json={"version": first["version"]}, headers=a.parent
        )
    )
    second = await submitted(stack, a)
    page = await ok(await c.get(APPS, params={"limit": 1}, headers=a.parent))
    assert page["total"] >= 2
    assert page["items"][0]["id"] == second["id"]
    found = await ok(
        await c.get(STAFF, params={"q": "berzins", "status": "submitted"}, headers=a.staff)
    )
    assert [i["id"] for i in found["items"]] == [second["id"]]
    english = await ok(
        await c.get(f"{APPS}/{second['id']}", headers={**a.parent, "Accept-Language": "en"})
    )
    assert english["status_label"] == "Submitted"


async def test_concurrent_changes_share_a_commit_but_keep_their_own_conflicts(
    stack: Stack, actors: Actors
) -> None:
    """Concurrent requests are committed together (group commit); a conflict in
    the shared transaction must stay with the request that caused it."""
    a, c = actors, stack.applications.client
    w = a.world
    await accept_terms(stack, a.parent)
    await accept_terms(stack, a.adult)
    # Two complete drafts for the same child and resource type: allowed while
    # neither is submitted, so the open slot is decided at submit.
    first = await complete_draft(stack, a, a.parent)
    second = await complete_draft(stack, a, a.parent)
    adult = await complete_draft(
        stack,
        a,
        a.adult,
        role="adult_learner",
        institution=w.other_institution_id,
        offer=f"{w.other_institution_id}-LAPTOP",
    )
    edited = await complete_draft(stack, a, a.parent)

    def submit(app: dict[str, Any], headers: dict[str, str]) -> Any:
        return c.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=headers
        )

    def contact(phone: str) -> Any:
        return c.patch(
            f"{APPS}/{edited['id']}/contact",
            json={"version": edited["version"], "phone": phone, "email": "liga@example.lv"},
            headers=a.parent,
        )

    r_first, r_second, r_adult, r_edit_a, r_edit_b = await asyncio.gather(
        submit(first, a.parent),
        submit(second, a.parent),
        submit(adult, a.adult),
        contact("2611 1111"),
        contact("2622 2222"),
    )
    # Exactly one of the two submits for the child wins; the other is told which.
    assert sorted([r_first.status_code, r_second.status_code]) == [202, 409]
    winner, loser = (first, r_second) if r_first.status_code == 202 else (second, r_first)
    assert loser.json()["reason"] == "open_application_exists"
    assert loser.json()["extra"]["application_id"] == winner["id"]
    # An unrelated submit that shared the commit is not affected.
    assert r_adult.status_code == 202, r_adult.text
    # Two edits based on the same version: one is stored, the other is stale.
    assert sorted([r_edit_a.status_code, r_edit_b.status_code]) == [200, 409]
    stale = r_edit_a if r_edit_a.status_code == 409 else r_edit_b
    assert stale.json()["reason"] == "stale_version"
    stored = await ok(await c.get(f"{APPS}/{edited['id']}", headers=a.parent))
    assert stored["version"] == edited["version"] + 1
    # The loser is still a draft; the winners go on to verification.
    lost = first if winner is second else second
    assert (await ok(await c.get(f"{APPS}/{lost['id']}", headers=a.parent)))["status"] == "draft"
    await wait_status(stack, winner["id"], a.parent, "submitted")
    await wait_status(stack, adult["id"], a.adult, "submitted")
