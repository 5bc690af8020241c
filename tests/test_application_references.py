"""The application's human reference (IR-XXXX-XXXX) against the real
services and MongoDB: every draft gets its own; a collision on the unique
index is retried with a new one; applications stored before references
existed still load."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from edu_applications.domain import reference
from edu_applications.service import use_cases

from tests.conftest import Stack
from tests.flows import APPS, Actors, accept_terms, ok, refused

REFERENCE = re.compile(r"^IR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture
async def actors(stack: Stack, actors: Actors) -> Actors:
    """The session's actors (conftest), the parent having accepted the terms."""
    await accept_terms(stack, actors.parent)
    return actors


async def new_draft(stack: Stack, a: Actors) -> dict[str, object]:
    body = {"role": "parent_or_guardian", "learner_code": a.world.child.code}
    return await ok(await stack.applications.client.post(APPS, json=body, headers=a.parent), 201)


def drawing(*refs: str) -> Iterator[str]:
    yield from refs


async def test_drafts_get_distinct_references_and_a_collision_draws_again(
    stack: Stack, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = actors
    first, second = await new_draft(stack, a), await new_draft(stack, a)
    assert REFERENCE.match(str(first["reference"])), first["reference"]
    assert REFERENCE.match(str(second["reference"])), second["reference"]
    assert first["reference"] != second["reference"]
    listed = await ok(await stack.applications.client.get(APPS, headers=a.parent))
    by_id = {i["id"]: i["reference"] for i in listed["items"]}
    assert by_id[first["id"]] == first["reference"]

    # The random source repeats an existing reference: the unique index
    # refuses it and the draft gets the next one drawn.
    fresh = reference.reference_from(secrets.randbits(40))
    draws = drawing(str(first["reference"]), fresh)
    monkeypatch.setattr(use_cases, "reference_from", lambda _bits: next(draws))
    third = await new_draft(stack, a)
    assert third["reference"] == fresh

    # A source that only repeats: a clear refusal, nothing stored.
    monkeypatch.setattr(use_cases, "reference_from", lambda _bits: first["reference"])
    before = (await ok(await stack.applications.client.get(APPS, headers=a.parent)))["total"]
    r = await stack.applications.client.post(
        APPS,
        json={"role": "parent_or_guardian", "learner_code": a.world.child.code},
        headers=a.parent,
    )
    await refused(r, 409, "reference_unavailable")
    after = (await ok(await stack.applications.client.get(APPS, headers=a.parent)))["total"]
    assert after == before


async def test_applications_stored_before_references_still_load(
    stack: Stack, actors: Actors
) -> None:
    a = actors
    old = [await new_draft(stack, a), await new_draft(stack, a)]
    apps = stack.db(stack.applications_settings)["applications"]
    # As older data has them: no reference field at all (two of them: the
    # unique index is sparse).
    await apps.update_many({"_id": {"$in": [o["id"] for o in old]}}, {"$unset": {"reference": ""}})
    for o in old:
        body = await ok(await stack.applications.client.get(f"{APPS}/{o['id']}", headers=a.parent))
        assert body["reference"] is None
    listed = await ok(await stack.applications.client.get(APPS, headers=a.parent))
    assert {i["id"]: i["reference"] for i in listed["items"]}[old[0]["id"]] is None
    # ... and they change and save as before, still without one.
    url = f"{APPS}/{old[0]['id']}/institution"
    body = {"version": old[0]["version"], "institution_id": a.world.institution_id}
    changed = await ok(await stack.applications.client.put(url, json=body, headers=a.parent))
    assert changed["reference"] is None
