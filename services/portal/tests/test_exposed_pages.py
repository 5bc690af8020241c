"""The portal's pages as they face the internet (issue #19): no page with
personal data stays in the browser's cache, and error pages never build a
link from the path the visitor typed."""

from __future__ import annotations

import asyncio
import time

import httpx
from edu_portal.web.context import Portal
from edu_portal.web.session import SESSION_COOKIE, Person

CODE = "010190-10001"


async def test_pages_are_not_stored_static_files_are(citizen_client: httpx.AsyncClient) -> None:
    client = citizen_client
    for path in ("/", "/mani-dati/", "/mani-dati/persona", "/pieteikumi/", "/nav-tadas"):
        r = await client.get(path)
        assert r.headers.get("cache-control") == "no-store", (path, r.status_code)
    # A page that redirects (a flow not started) is no-store too.
    r = await client.get("/mani-dati/dati")
    assert r.headers.get("cache-control") == "no-store"
    css = await client.get("/static/portal.css")
    assert css.status_code == 200
    assert "no-store" not in css.headers.get("cache-control", "")


async def test_error_pages_build_links_from_the_route_not_the_raw_path(
    portal_site: tuple[str, Portal],
) -> None:
    url, _ = portal_site
    async with httpx.AsyncClient(base_url=url) as client:
        r = await client.get("//evil.example/x")
        assert r.status_code == 404
        assert "evil.example" not in r.text
        assert 'href="/?lang=en"' in r.text
        # A routed page links to itself.
        r = await client.get("/mani-dati/")
        assert 'href="/mani-dati/?lang=en"' in r.text or 'href="/mani-dati?lang=en"' in r.text
        # The switch never redirects off the site either.
        r = await client.get("//evil.example/x?lang=en")
        assert not r.headers.get("location", "").startswith("//")


async def test_my_data_reads_are_limited_per_person_not_per_session(
    portal_site: tuple[str, Portal],
) -> None:
    """A new session is no new bucket: the limit counts the person over all
    their sessions; another person is not held back."""
    url, portal = portal_site
    if time.time() % 60 > 55:  # one fixed window for the whole test
        await asyncio.sleep(61 - time.time() % 60)
    person = Person(personal_code=CODE, auth_method="eid")
    first, session = await portal.sessions.open(person)
    second, other_session = await portal.sessions.open(person)
    someone, their_session = await portal.sessions.open(
        Person(personal_code="020290-10002", auth_method="eid")
    )
    for s in (session, other_session, their_session):
        await portal.sessions.save_flow(s, "mydata", {"subject": None})
    async with httpx.AsyncClient(base_url=url) as client:

        async def read(cookie: str) -> int:
            r = await client.get("/mani-dati/dati", cookies={SESSION_COOKIE: cookie})
            return r.status_code

        # The registry is not running here: an allowed read is a 503 page.
        assert [await read(first) for _ in range(2)] == [503, 503]
        assert await read(second) == 503
        limited = await client.get("/mani-dati/dati", cookies={SESSION_COOKIE: second})
        assert limited.status_code == 429
        assert "Pārāk daudz pieprasījumu" in limited.text
        assert await read(first) == 429
        assert await read(someone) == 503


async def test_accepting_the_terms_after_sign_in_is_a_post_with_csrf(
    citizen_client: httpx.AsyncClient,
) -> None:
    """Agreed before signing in: the GET after sign-in only asks to continue
    (it would record the acceptance with the applications service, which is
    not running here: a 503); the POST needs the form's CSRF token."""
    client = citizen_client
    client.cookies.set("edu_terms_b", "yes")
    r = await client.get("/pieteikumi/noteikumi/apstiprinati")
    assert r.status_code == 200
    assert 'method="post" action="/pieteikumi/noteikumi/apstiprinati"' in r.text
    assert 'name="_csrf_token"' in r.text
    forged = await client.post("/pieteikumi/noteikumi/apstiprinati", data={})
    assert forged.status_code == 403
