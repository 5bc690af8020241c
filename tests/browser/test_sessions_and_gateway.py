"""Sign-in, sign-out and an ended session in the browser; what the gateway adds
to every response; cookies the page's JavaScript cannot read; forms without
their CSRF token refused; the per-person rate limit on my-data reads."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from edu_portal.web.session import SESSION_COOKIE
from edu_tools.testing import eventually
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from playwright.async_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import Check, Shoot, SignIn
from tests.world import World


async def test_sign_in_stand_in_pages_and_sign_out(
    page: Page, site: Site, world: World, check_axe: Check, screenshot: Shoot
) -> None:
    # A page that needs a person sends them to sign in and back again.
    await page.goto(f"{site.url}/mani-dati/persona")
    await expect(page).to_have_title(re.compile("^Autentificēties"))
    await check_axe(page)
    await screenshot(page, "02-sign-in-method")
    await page.get_by_role("button", name="Turpināt").click()
    await expect(page.get_by_role("alert")).to_contain_text("Izvēlieties, kā autentificēties")
    await check_axe(page)
    await page.get_by_label("eParaksts mobile").check()
    await page.get_by_role("button", name="Turpināt").click()
    await expect(page).to_have_title(re.compile("^Kas jūs esat"))
    await check_axe(page)
    await screenshot(page, "03-sign-in-person")
    # A valid code that is not in the registers.
    await page.get_by_label("Cita persona (ievadiet personas kodu)").check()
    await page.get_by_role("textbox", name="Personas kods").fill("010101-10006")
    await page.get_by_role("button", name="Autentificēties").click()
    await expect(page.locator("#personal_code-error")).to_contain_text(
        "Reģistros nav personas ar šādu personas kodu"
    )
    await check_axe(page)
    # One of the featured people of the registers.
    await page.get_by_label(f"{world.parent.full_name}, {world.parent.code}").check()
    await page.get_by_role("button", name="Autentificēties").click()
    await expect(page).to_have_title(re.compile("^Par kuru personu"))
    await expect(page.get_by_text(world.parent.full_name).first).to_be_visible()

    await page.get_by_role("button", name="Iziet").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Jūs esat izgājis")
    await check_axe(page)
    await screenshot(page, "04-signed-out")
    assert not [c for c in await page.context.cookies() if c["name"] == SESSION_COOKIE]
    await page.goto(f"{site.url}/mani-dati/persona")
    await expect(page).to_have_title(re.compile("^Autentificēties"))


async def test_an_ended_session_gets_a_page_that_leads_back_to_sign_in(
    page: Page, site: Site, world: World, sign_in: SignIn, check_axe: Check, screenshot: Shoot
) -> None:
    await sign_in(page, world.adult_learner)
    cookie = next(c for c in await page.context.cookies() if c["name"] == SESSION_COOKIE)
    session = await site.sessions.load(cookie["value"])
    assert session is not None
    await site.sessions.expire_now(session)

    response = await page.goto(f"{site.url}/mani-dati/persona")
    assert response is not None
    assert response.status == 401
    await expect(page.get_by_role("heading", level=1)).to_have_text("Jūsu sesija ir beigusies")
    await check_axe(page)
    await screenshot(page, "05-session-ended")
    await page.get_by_role("link", name="Autentificēties vēlreiz").click()
    await expect(page).to_have_title(re.compile("^Autentificēties"))


async def test_gateway_headers_and_cookie_flags(
    page: Page, site: Site, world: World, sign_in: SignIn
) -> None:
    await sign_in(page, world.parent)
    response = await page.goto(f"{site.url}/mani-dati/")
    assert response is not None
    headers = await response.all_headers()
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in csp  # no remote origin
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f-]{16,}", headers["x-correlation-id"])
    cookies = {c["name"]: c for c in await page.context.cookies()}
    session = cookies[SESSION_COOKIE]
    assert session["httpOnly"]
    assert session["sameSite"] == "Lax"
    # Not behind TLS here; EDU_PORTAL_SECURE_COOKIES=true marks them Secure.
    assert not session["secure"]
    # The page's JavaScript sees neither the session nor any JWT.
    visible = await page.evaluate("document.cookie")
    assert SESSION_COOKIE not in visible
    assert "eyJ" not in visible
    assert "eyJ" not in await page.content()
    # Static files and error responses carry the headers too.
    async with httpx.AsyncClient(base_url=site.url) as client:
        for path in ("/static/portal.css", "/no-such-page", "/api/v1/nothing"):
            r = await client.get(path)
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
            assert r.headers["x-content-type-options"] == "nosniff", path


async def test_the_gateway_request_id_is_in_the_trace_of_the_page_and_its_api_calls(
    page: Page, site: Site, world: World, sign_in: SignIn, span_exporter: InMemorySpanExporter
) -> None:
    await sign_in(page, world.adult_learner)
    await page.goto(f"{site.url}/mani-dati/noteikumi")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    async with page.expect_response(re.compile(r"/mani-dati/noteikumi$")) as info:
        await page.get_by_role("button", name="Turpināt").click()
    request_id = (await (await info.value).all_headers())["x-correlation-id"]

    def traced() -> set[str] | None:
        spans = span_exporter.get_finished_spans()
        roots = [s for s in spans if (s.attributes or {}).get("edu.correlation_id") == request_id]
        if not roots or roots[0].context is None:
            return None
        trace_id = roots[0].context.trace_id
        services = {
            str(s.resource.attributes.get("service.name"))
            for s in spans
            if s.context is not None and s.context.trace_id == trace_id
        }
        return services if "registry-reader" in services else None

    services = await eventually_sync(traced)
    assert {"portal", "registry-reader"} <= services


async def eventually_sync(probe: Callable[[], set[str] | None], timeout: float = 10.0) -> set[str]:
    async def wrapped() -> set[str] | None:
        return probe()

    return await eventually(wrapped, timeout=timeout)


async def test_a_form_without_its_csrf_token_is_refused(
    page: Page, site: Site, world: World, sign_in: SignIn
) -> None:
    await sign_in(page, world.parent)
    session_cookie = next(
        c["value"] for c in await page.context.cookies() if c["name"] == SESSION_COOKIE
    )
    async with httpx.AsyncClient(base_url=site.url) as client:
        r = await client.post(
            "/auth/sign-out",
            cookies={SESSION_COOKIE: session_cookie},
            data={},
        )
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "Veidlapu neizdevās nosūtīt" in r.text
    # The session is still there: the refused form did nothing.
    assert await site.sessions.load(session_cookie) is not None


async def test_my_data_reads_are_rate_limited_per_person(
    page: Page, site: Site, world: World, sign_in: SignIn, screenshot: Shoot
) -> None:
    await sign_in(page, world.adult_learner)
    cookie = next(c["value"] for c in await page.context.cookies() if c["name"] == SESSION_COOKIE)
    # A second session of the same person is no new bucket (issue #19).
    first = await site.sessions.load(cookie)
    assert first is not None
    second, session = await site.sessions.open(first.person)
    for each in (first, session):  # my data about themselves, chosen
        await site.sessions.save_flow(each, "mydata", {"subject": None, "chosen": "self"})
    for each_cookie in (cookie, second):
        loaded = await site.sessions.load(each_cookie)
        assert loaded is not None
        assert "mydata" in loaded.flows
    limit = site.portal_settings.my_data_reads_per_minute
    async with httpx.AsyncClient(base_url=site.url) as client:
        statuses = [
            (
                await client.get(
                    "/mani-dati/dati", cookies={SESSION_COOKIE: (cookie, second)[i % 2]}
                )
            ).status_code
            for i in range(limit + 2)
        ]
        limited = await client.get("/mani-dati/dati", cookies={SESSION_COOKIE: second})
        # Another person is not held back by this one.
        other = await client.get("/mani-dati/dati", cookies={SESSION_COOKIE: "someone-else"})
    assert 429 in statuses
    assert statuses[0] != 429
    assert limited.status_code == 429
    assert "Pārāk daudz pieprasījumu" in limited.text
    assert limited.headers["content-type"].startswith("text/html")
    assert other.status_code != 429
    await page.goto(f"{site.url}/mani-dati/dati")
    await screenshot(page, "06-too-many-requests")
