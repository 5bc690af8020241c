"""Every staff page is behind one guard: a person signed in as a citizen is
sent to the staff sign-in from each of them, for reading and for changing."""

from __future__ import annotations

import re
import uuid

import httpx
from edu_portal.staff import STAFF_PAGES
from edu_portal.staff.common import SIGN_IN


def _concrete(path: str) -> str:
    """A route's path with its parameters filled in (``{app_id:uuid}`` …)."""
    return re.sub(r"\{[^}:]+:uuid\}", str(uuid.uuid4()), re.sub(r"\{[^}:]+:str\}", "x", path))


async def test_every_staff_page_sends_a_citizen_to_the_staff_sign_in(
    citizen_client: httpx.AsyncClient,
) -> None:
    client = citizen_client
    # A page that sets the CSRF cookie, so that a refused POST is refused
    # by the guard, not by the CSRF check.
    await client.get(SIGN_IN)
    csrf = client.cookies.get("edu_csrf")
    assert csrf
    seen = 0
    for route in STAFF_PAGES.routes:
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            path = _concrete(route.path)
            headers = {"x-csrftoken": csrf} if method == "POST" else {}
            r = await client.request(method, path, headers=headers)
            assert r.status_code == 303, (method, path, r.status_code)
            assert r.headers["location"] == SIGN_IN, (method, path)
            seen += 1
    assert seen >= 12
