"""The sign-in stand-in's directory of people (``DATA_DIR/people.json``),
exported from the loaded registers by ``edu up``: one featured person of each
kind ``edu registry sample`` knows (a parent, a guardian, an adult learner, a
teacher at the parent's children's school, a person VIIS knows nothing about …)
offered as a list, and everyone
else, whom the stand-in signs in when their personal code is typed.

Only the local stand-in reads it; the portal never reads registry-reader's
database itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edu_portal.people import KnownPerson, write_people
from edu_runtime.riga import today_in_latvia

from edu_tools.registry.samples import KINDS, find_sample, schools_of

MAX_PEOPLE = 50_000


def export(mongo_url: str, db_name: str, path: Path) -> int:
    """Write the directory; returns how many people it holds."""
    from edu_registry_reader.adapters import loader

    client, db = loader.connect(mongo_url, db_name)
    try:
        today = today_in_latvia()
        featured: dict[str, str] = {}
        # The staff member offered works where the featured parent's children
        # learn, so a newcomer can take one application through the school's
        # decision with the people offered (KINDS lists the parent first).
        near: list[str] = []
        for kind in KINDS:
            found: dict[str, Any] | None = find_sample(db, kind, today, near=near)
            if found and kind == "parent-with-minor":
                near = schools_of(found)
            if found and found["personal_code"] not in featured:
                featured[found["personal_code"]] = kind
        people = [
            KnownPerson(
                personal_code=doc["_id"],
                given_name=doc["given_name"],
                family_name=doc["family_name"],
                kind=featured.get(doc["_id"]),
                featured=doc["_id"] in featured,
            )
            for doc in db["persons"].find({}, {"given_name": 1, "family_name": 1}).limit(MAX_PEOPLE)
        ]
    finally:
        client.close()
    # Featured first, in the order of KINDS.
    order = {code: i for i, code in enumerate(featured)}
    people.sort(key=lambda p: order.get(p.personal_code, len(order)))
    write_people(path, people)
    return len(people)
