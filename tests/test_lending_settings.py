"""A school's lending settings end to end: staff change them in applications
(versioned, audited), the change is published through the outbox, and
registry-reader's wizard lookups and eligibility verdicts honour it within
seconds; until a school saves settings, the register's data is in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_tools.testing import eventually

from tests.conftest import Stack
from tests.flows import (
    APPS,
    Actors,
    accept_terms,
    complete_draft,
    ok,
    refused,
    wait_status,
)

SETTINGS = "/api/v1/staff/lending-settings"
LOOKUPS = "/api/v1/lookups/institutions"


def offer(
    description: str,
    *,
    offer_id: str | None = None,
    resource_type: str = "laptop",
    use: str = "individual",
    target_group: str = "everyone",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resource_type": resource_type,
        "description": description,
        "target_group": target_group,
        "use": use,
        **extra,
    }
    if offer_id:
        body["offer_id"] = offer_id
    return body


async def registry_says(
    stack: Stack, a: Actors, institution_id: str, *, accepting: bool, offers: set[str] | None = None
) -> dict[str, Any]:
    """Wait until registry-reader's lookups show the settings (a few seconds at most)."""
    c = stack.registry.client

    async def probe() -> dict[str, Any] | None:
        summary = await ok(await c.get(f"{LOOKUPS}/{institution_id}", headers=a.parent))
        listed = await ok(
            await c.get(f"{LOOKUPS}/{institution_id}/resource-offers", headers=a.parent)
        )
        descriptions = {o["description"] for o in listed["items"]}
        if summary["accepting_applications"] is not accepting:
            return None
        if offers is not None and descriptions != offers:
            return None
        return listed

    return await eventually(probe, timeout=20)


async def test_register_data_is_in_force_until_the_school_saves_settings(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    current = await ok(await c.get(SETTINGS, headers=a.staff))
    assert current["saved"] is False
    assert current["version"] == 0
    assert current["institution_id"] == a.world.institution_id
    assert current["accepting_applications"] is True
    assert current["accepting_now"] is True
    assert {o["offer_id"] for o in current["offers"]} == {
        a.world.laptop_offer,
        a.world.tablet_offer,
    }
    assert {o["use"] for o in current["offers"]} == {"individual"}
    # Nothing saved: nothing in the audit trail.
    history = await ok(await c.get(f"{SETTINGS}/history", headers=a.staff))
    assert history["total"] == 0
    # Citizens have no business here.
    await refused(await c.get(SETTINGS, headers=a.parent), 403, "staff_only")


async def test_school_closes_and_reopens_with_its_own_offers_and_the_wizard_follows(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    w = a.world
    await accept_terms(stack, a.parent)

    # 1. The school stops accepting applications.
    closed = await ok(
        await c.put(
            SETTINGS,
            json={"version": 0, "accepting_applications": False, "offers": []},
            headers=a.staff,
        )
    )
    assert closed["saved"] is True
    assert closed["version"] == 1
    assert closed["accepting_now"] is False
    assert closed["updated_by"] == "Ūna Šķēle"
    await registry_says(stack, a, w.institution_id, accepting=False, offers=set())
    # Step 2 refuses the school now.
    draft = await ok(
        await c.post(
            APPS,
            json={"role": "parent_or_guardian", "learner_code": w.child.code},
            headers=a.parent,
        ),
        201,
    )
    await refused(
        await c.put(
            f"{APPS}/{draft['id']}/institution",
            json={"version": draft["version"], "institution_id": w.institution_id},
            headers=a.parent,
        ),
        409,
        "institution_not_accepting",
    )

    # A change based on an old version is refused, and nothing changes.
    await refused(
        await c.put(
            SETTINGS,
            json={"version": 0, "accepting_applications": True, "offers": []},
            headers=a.staff,
        ),
        409,
        "stale_version",
    )

    # 2. The school reopens for a period that includes today, keeps the laptop,
    # adds a tablet used only on its premises and an individual-use camera.
    today = dt.date.today()
    reopened = await ok(
        await c.put(
            SETTINGS,
            json={
                "version": 1,
                "accepting_applications": True,
                "accepting_from": (today - dt.timedelta(days=1)).isoformat(),
                "accepting_to": (today + dt.timedelta(days=30)).isoformat(),
                "offers": [
                    offer("Klēpjdators Lenovo ThinkPad E14", offer_id=w.laptop_offer),
                    offer("Planšete klasē", resource_type="tablet", use="on_premises"),
                    offer(
                        "Dokumentu kamera",
                        resource_type="other",
                        for_groups=["6.b"],
                        items_available=3,
                    ),
                ],
            },
            headers=a.staff,
        )
    )
    assert reopened["version"] == 2
    assert reopened["accepting_now"] is True
    camera = next(o for o in reopened["offers"] if o["resource_type"] == "other")
    assert camera["offer_id"].startswith(w.institution_id)
    assert camera["for_groups"] == ["6.b"]
    assert camera["items_available"] == 3
    # Step 4 lists only what is lent for individual use.
    listed = await registry_says(
        stack,
        a,
        w.institution_id,
        accepting=True,
        offers={"Klēpjdators Lenovo ThinkPad E14", "Dokumentu kamera"},
    )
    assert {o["resource_type"] for o in listed["items"]} == {"laptop", "other"}

    # The register's tablet offer is no longer offered (the school's list replaced it).
    draft = await ok(
        await c.post(
            APPS,
            json={"role": "parent_or_guardian", "learner_code": w.child.code},
            headers=a.parent,
        ),
        201,
    )
    draft = await ok(
        await c.put(
            f"{APPS}/{draft['id']}/institution",
            json={"version": draft["version"], "institution_id": w.institution_id},
            headers=a.parent,
        )
    )
    draft = await ok(
        await c.put(
            f"{APPS}/{draft['id']}/social-status",
            json={"version": draft["version"], "socially_supported": True, "social_group": "needy"},
            headers=a.parent,
        )
    )
    await refused(
        await c.put(
            f"{APPS}/{draft['id']}/resource",
            json={"version": draft["version"], "offer_id": w.tablet_offer},
            headers=a.parent,
        ),
        422,
        "resource_not_offered",
    )

    # 3. An application for the school's own offer passes the registry's verification.
    app = await complete_draft(stack, a, a.parent, offer=camera["offer_id"])
    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=a.parent
        ),
        202,
    )
    app = await wait_status(stack, app["id"], a.parent, "submitted")
    assert app["resource"]["resource_type"] == "other"

    # 4. The audit trail: who changed what, newest first.
    history = await ok(await c.get(f"{SETTINGS}/history", headers=a.staff))
    assert history["total"] == 2
    newest, first = history["items"]
    assert newest["version"] == 2
    assert newest["actor_name"] == "Ūna Šķēle"
    fields = {ch["field"]: ch for ch in newest["changes"]}
    assert fields["accepting_applications"] == {
        "field": "accepting_applications",
        "before": "false",
        "after": "true",
    }
    assert fields[f"offers.{w.laptop_offer}.description"]["after"] == (
        "Klēpjdators Lenovo ThinkPad E14"
    )
    assert f"offers.{camera['offer_id']}.items_available" in fields
    assert first["version"] == 1
    assert {ch["field"] for ch in first["changes"]} >= {"accepting_applications"}

    # Saving the same settings again changes nothing: no new version, no audit entry.
    same = await ok(await c.get(SETTINGS, headers=a.staff))
    body = {
        k: same[k] for k in ("version", "accepting_applications", "accepting_from", "accepting_to")
    }
    body["offers"] = same["offers"]
    again = await ok(await c.put(SETTINGS, json=body, headers=a.staff))
    assert again["version"] == 2
    assert (await ok(await c.get(f"{SETTINGS}/history", headers=a.staff)))["total"] == 2


async def test_a_period_not_yet_begun_closes_and_submissions_are_reverified(
    stack: Stack, actors: Actors
) -> None:
    """A complete draft made while the school accepted is rejected on submit
    once the school has stopped: the verdict reads the settings too."""
    a, c = actors, stack.applications.client
    w = a.world
    await accept_terms(stack, a.parent)
    app = await complete_draft(stack, a, a.parent)
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    later = await ok(
        await c.put(
            SETTINGS,
            json={
                "version": 0,
                "accepting_applications": True,
                "accepting_from": tomorrow.isoformat(),
                "offers": [offer("Klēpjdators", offer_id=w.laptop_offer)],
            },
            headers=a.staff,
        )
    )
    assert later["accepting_now"] is False
    await registry_says(stack, a, w.institution_id, accepting=False)
    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=a.parent
        ),
        202,
    )
    app = await wait_status(stack, app["id"], a.parent, "rejected")
    assert "institution_not_accepting" in app["rejection_reasons"]
    # Another school's settings and lookups are untouched.
    other = await ok(await c.get(SETTINGS, headers=a.other_staff))
    assert other["institution_id"] == w.other_institution_id
    assert other["saved"] is False
    summary = await ok(
        await stack.registry.client.get(f"{LOOKUPS}/{w.other_institution_id}", headers=a.parent)
    )
    assert summary["accepting_applications"] is True


async def test_bad_settings_are_refused_without_a_change(stack: Stack, actors: Actors) -> None:
    a, c = actors, stack.applications.client
    bad_period = {
        "version": 0,
        "accepting_applications": True,
        "accepting_from": "2026-09-10",
        "accepting_to": "2026-09-01",
    }
    await refused(await c.put(SETTINGS, json=bad_period, headers=a.staff), 422, "bad_period")
    twice = {
        "version": 0,
        "accepting_applications": True,
        "offers": [offer("A", offer_id="X-1"), offer("B", offer_id="X-1")],
    }
    await refused(await c.put(SETTINGS, json=twice, headers=a.staff), 422, "duplicate_offer")
    for body in (
        {"version": 0, "accepting_applications": True, "surprise": 1},
        {"version": 0, "accepting_applications": True, "offers": [offer("A", use="somewhere")]},
        {"version": 0, "accepting_applications": True, "offers": [offer("")]},
        {"version": -1, "accepting_applications": True},
    ):
        r = await c.put(SETTINGS, json=body, headers=a.staff)
        assert r.status_code in (400, 422), r.text
    current = await ok(await c.get(SETTINGS, headers=a.staff))
    assert current["saved"] is False
    history = await ok(await c.get(f"{SETTINGS}/history", headers=a.staff))
    assert history["total"] == 0


async def test_an_offer_for_other_classes_is_refused_by_the_verification(
    stack: Stack, actors: Actors
) -> None:
    """The school lends the laptop to class 9.a only: the child in 6.b may
    pick it in step 4 (the lookup shows whom it is for) but the registers'
    verification refuses it."""
    a, c = actors, stack.applications.client
    w = a.world
    await ok(
        await c.put(
            SETTINGS,
            json={
                "version": 0,
                "accepting_applications": True,
                "offers": [offer("Klēpjdators 9.a", offer_id=w.laptop_offer, for_groups=["9.A"])],
            },
            headers=a.staff,
        )
    )
    listed = await registry_says(
        stack, a, w.institution_id, accepting=True, offers={"Klēpjdators 9.a"}
    )
    assert listed["items"][0]["for_groups"] == ["9.A"]
    await accept_terms(stack, a.parent)
    app = await complete_draft(stack, a, a.parent)
    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=a.parent
        ),
        202,
    )
    app = await wait_status(stack, app["id"], a.parent, "rejected")
    assert app["rejection_reasons"] == ["resource_not_offered"]


async def test_the_daily_digest_address_is_saved_audited_and_published(
    stack: Stack, actors: Actors
) -> None:
    """Issue #23: the school's address for the daily digest of new applications
    is one more setting: saved, shown, audited, and on the published snapshot."""
    a, c = actors, stack.applications.client
    w = a.world
    base = {
        "accepting_applications": True,
        "offers": [offer("Klēpjdators", offer_id=w.laptop_offer)],
    }
    saved = await ok(
        await c.put(
            SETTINGS,
            json={"version": 0, **base, "contact_email": "pieteikumi@skola.lv"},
            headers=a.staff,
        )
    )
    assert saved["contact_email"] == "pieteikumi@skola.lv"
    assert (await ok(await c.get(SETTINGS, headers=a.staff)))["contact_email"] == (
        "pieteikumi@skola.lv"
    )
    # Left out (or null): no digest any more.
    cleared = await ok(await c.put(SETTINGS, json={"version": 1, **base}, headers=a.staff))
    assert cleared["version"] == 2
    assert cleared["contact_email"] is None
    history = await ok(await c.get(f"{SETTINGS}/history", headers=a.staff))
    newest, first = history["items"]
    assert {"field": "contact_email", "before": "pieteikumi@skola.lv", "after": None} in newest[
        "changes"
    ]
    assert {"field": "contact_email", "before": None, "after": "pieteikumi@skola.lv"} in first[
        "changes"
    ]

    # Refused, and nothing changes: a malformed address (with the field named)
    # and a field the API does not know.
    for bad in ("pieteikumi", "pieteikumi@", "@skola.lv", "a b@skola.lv", "x" * 250 + "@skola.lv"):
        body = await refused(
            await c.put(
                SETTINGS, json={"version": 2, **base, "contact_email": bad}, headers=a.staff
            ),
            422,
            "validation_error",
        )
        assert [str(e["loc"]) for e in body["extra"]["errors"]] == ["contact_email"], body
    await refused(
        await c.put(
            SETTINGS,
            json={"version": 2, **base, "contact_address": "pieteikumi@skola.lv"},
            headers=a.staff,
        ),
        422,
        "unknown_field",
    )
    assert (await ok(await c.get(SETTINGS, headers=a.staff)))["version"] == 2
