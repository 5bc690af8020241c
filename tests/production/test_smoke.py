"""The black-box smoke of the production manifests played with podman
(`make prod-check`; deploy/README.md, "local-prod"): Chromium through the
gateway container only, signing in through the OpenID Connect provider
container, as three people of a small world loaded into the registers' database
the way the importer loads VIIS:

- an adult learner: "My data", then its PDF;
- a parent: an application for a laptop for their child, submitted;
- a school employee: the application granted and made ready for issue;
- the parent: receipt confirmed, the handover act downloaded and read back;
  the notifications the parent was sent on the way, read from the mail sink.

Collected only when ``EDU_PROD_GATEWAY`` names the gateway (prod-check sets it;
tests/conftest.py), so plain ``make test`` does not run it.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from pymongo import AsyncMongoClient

from tests.world import Person, World, build_world, load_world

GATEWAY = os.environ.get("EDU_PROD_GATEWAY", "")
if not GATEWAY:
    raise pytest.UsageError("EDU_PROD_GATEWAY is not set: the smoke runs from `make prod-check`")
PROVIDER = os.environ.get("EDU_PROD_OIDC", "http://127.0.0.1:18090")
MONGO = os.environ.get("EDU_PROD_MONGO", "mongodb://127.0.0.1:37017/?directConnection=true")
MAIL = os.environ.get("EDU_PROD_MAIL", "http://127.0.0.1:18025")
CONTACT_EMAIL = "liga@example.lv"
# The Latvian subjects (edu_notifications.domain.texts) of the messages one
# application sends on its way to the handover act; {ref} is its number.
EXPECTED_SUBJECTS = {
    "submitted": re.compile(r"^Pieteikums .+ ir iesniegts$"),
    "granted": re.compile(r"^Pieteikums .+ ir apstiprināts$"),
    "ready_for_issue": re.compile(r"^Gatavs izsniegšanai: pieteikums .+$"),
    "handover_act_ready": re.compile(r"^Pieņemšanas-nodošanas akts: pieteikums .+$"),
}
PERSONAL_CODE = re.compile(r"\b\d{6}-?\d{5}\b")
REGISTRY_DB = "edu_registry_reader"
TIMEOUT_MS = 30_000
# Unique per run: the register refuses a number it already holds, and the
# played database outlives one smoke when prod-check is run by hand twice.
INVENTORY = f"INV-{uuid.uuid4().hex[:6].upper()}"
SERIAL = f"PF-{uuid.uuid4().hex[:8].upper()}"


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]


@pytest.fixture(scope="module")
async def world() -> World:
    """New people and institutions, inserted as the registry's importer does."""
    w = build_world()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(MONGO)
    try:
        await load_world(client[REGISTRY_DB], w)
    finally:
        await client.close()
    return w


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Browser) -> Page:
    context = await browser.new_context(locale="lv-LV", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    return await context.new_page()


async def sign_in(page: Page, person: Person) -> None:
    """OpenID Connect: the portal sends the browser to the provider, which
    sends it back with a code the portal redeems."""
    await page.goto(f"{GATEWAY}/auth/sign-in")
    await page.wait_for_url(re.compile(rf"^{re.escape(PROVIDER)}/authorize\?"))
    await page.get_by_label(re.compile("^Personas kods")).fill(person.code)
    await page.get_by_label(re.compile("^Vārds")).fill(person.given_name)
    await page.get_by_label(re.compile("^Uzvārds")).fill(person.family_name)
    await page.get_by_role("button", name=re.compile("^Pieslēgties")).click()
    await page.wait_for_url(f"{GATEWAY}/")


async def pdf_text(content: bytes) -> str:
    done = await asyncio.to_thread(
        subprocess.run, ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


async def download(page: Page, name: str | re.Pattern[str], tmp_path: Path) -> str:
    async with page.expect_download() as info:
        await page.get_by_role("link", name=name).click()
    saved = tmp_path / "download.pdf"
    await (await info.value).save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    return await pdf_text(content)


async def continue_(page: Page) -> None:
    await page.get_by_role("button", name="Turpināt").click()


async def test_gateway_answers_as_production_does() -> None:
    import httpx

    async with httpx.AsyncClient(base_url=GATEWAY) as http:
        health = await http.get("/healthz")
        assert health.status_code == 200
        home = await http.get("/")
        assert home.status_code == 200
        assert "default-src 'self'" in home.headers["content-security-policy"]
        assert home.headers["strict-transport-security"].startswith("max-age=")
        # The services' own endpoints stay inside.
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/health/ready")).status_code == 404
        # Signing in goes to the provider, never to the stand-in.
        started = await http.get("/auth/sign-in")
        assert started.status_code in (302, 303)
        assert started.headers["location"].startswith(f"{PROVIDER}/authorize?")


async def test_my_data_and_its_pdf(browser: Browser, world: World, tmp_path: Path) -> None:
    page = await new_page(browser)
    await sign_in(page, world.adult_learner)
    await page.get_by_role("link", name="Mani dati izglītības reģistros").click()
    await page.get_by_role("button", name="Sākt").click()
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await continue_(page)
    await expect(page).to_have_title(re.compile("^Par kuru personu"))
    await page.get_by_label("Par sevi").check()
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(
        world.adult_learner.full_name
    )
    await page.get_by_role("button", name="Saglabāt kā PDF").click()
    await expect(page.get_by_role("heading", name="PDF ir gatavs")).to_be_visible(timeout=60_000)
    text = await download(page, "Lejupielādēt PDF", tmp_path)
    assert "Informācija par personu" in text
    assert world.adult_learner.family_name in text
    # Sign-out ends the session here and at the provider, which sends the
    # browser back; Back then shows no register data (no-store).
    await page.get_by_role("button", name="Iziet").click()
    await page.wait_for_url(f"{GATEWAY}/auth/signed-out")
    await expect(page.get_by_role("heading", name="Jūs esat izgājis")).to_be_visible()
    await page.goto(f"{GATEWAY}/mani-dati/dati")
    await expect(page.get_by_text(world.adult_learner.family_name)).to_have_count(0)
    await page.context.close()


async def test_application_granted_received_and_its_act(
    browser: Browser, world: World, tmp_path: Path
) -> None:
    citizen = await new_page(browser)
    await sign_in(citizen, world.parent)
    await citizen.goto(f"{GATEWAY}/pieteikumi/noteikumi")
    await citizen.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await citizen.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu").click()
    await citizen.get_by_label(re.compile(world.child.full_name)).check()
    await continue_(citizen)
    await citizen.get_by_label(re.compile("Rīgas .* vidusskola")).check()
    await continue_(citizen)
    await citizen.get_by_label("Nē", exact=True).check()
    await continue_(citizen)
    await citizen.get_by_label(re.compile("^Portatīvais dators")).check()
    await continue_(citizen)
    await citizen.get_by_label("Esmu izlasījis dokumentus").check()
    await continue_(citizen)
    await citizen.get_by_label("Tālruņa numurs").fill("2612 3456")
    await citizen.get_by_label("E-pasta adrese").fill(CONTACT_EMAIL)
    await continue_(citizen)
    await citizen.get_by_role("button", name="Iesniegt pieteikumu").click()
    await expect(citizen.locator(".panel")).to_contain_text("Pieteikums iesniegts", timeout=60_000)
    found = re.search(r"/pieteikumi/([0-9a-f-]{36})", citizen.url)
    assert found, citizen.url
    app_id = found.group(1)

    # The school's employee, in another browser, signed in the same way.
    staff = await new_page(browser)
    await sign_in(staff, world.employee)
    await staff.goto(f"{GATEWAY}/skola/")
    await expect(staff.get_by_role("heading", name="Kurā iestādē strādājat?")).to_be_visible()
    await continue_(staff)
    await expect(staff.get_by_role("heading", name="Iesniegumi", exact=True)).to_be_visible()
    await staff.get_by_label("Izglītojamā vārds").fill(world.child.family_name)
    await staff.get_by_role("button", name="Rādīt").click()
    await staff.get_by_role("link", name=world.child.full_name).click()
    await staff.get_by_role("link", name="Piešķirt", exact=True).click()
    await continue_(staff)
    await staff.get_by_role("button", name="Apstiprināt: Piešķirt").click()
    await expect(staff.get_by_role("status")).to_contain_text("Izdarīts")
    # The laptop goes into the school's register by hand, then is scanned.
    granted_at = staff.url
    await staff.get_by_role("link", name="Inventāra reģistrs").click()
    await staff.get_by_role("link", name="Pievienot resursu").first.click()
    await staff.get_by_label("Resursa veids").select_option(label="Portatīvais dators")
    await staff.get_by_label("Modelis").fill("Lenovo ThinkPad E14")
    await staff.get_by_label("Inventāra numurs").fill(INVENTORY)
    await staff.get_by_label("Sērijas numurs").fill(SERIAL)
    await staff.get_by_label("Visiem izglītojamajiem").check()
    await staff.get_by_label("Jauns", exact=True).check()
    await staff.get_by_role("button", name="Pievienot resursu").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text(INVENTORY)
    await staff.goto(granted_at)
    await staff.get_by_role("link", name="Gatavs izsniegšanai").click()
    await staff.get_by_label("Inventāra vai sērijas numurs").fill(INVENTORY)
    await staff.get_by_label("Inventāra vai sērijas numurs").press("Enter")
    await expect(staff.get_by_text(SERIAL)).to_be_visible()
    await staff.get_by_role("button", name=re.compile("^Apstiprināt: rezervēt")).click()
    await expect(staff.locator("strong.tag", has_text="Gatavs izsniegšanai")).to_be_visible()
    await staff.context.close()

    # The parent confirms the receipt; the handover act follows.
    await citizen.goto(f"{GATEWAY}/pieteikumi/{app_id}")
    await expect(citizen.locator("p .tag")).to_have_text("Gatavs izsniegšanai")
    await citizen.get_by_role("link", name="Apstiprināt saņemšanu").click()
    await citizen.get_by_label(re.compile("^Esmu saņēmis resursu")).check()
    await citizen.get_by_role("button", name="Apstiprināt saņemšanu").click()
    await expect(citizen.locator("p .tag")).to_have_text("Izsniegts")
    act = citizen.get_by_role("link", name=re.compile("^Pieņemšanas-nodošanas akts"))
    for _ in range(120):  # rendered by documents after a Kafka command; no push
        if await act.count():
            break
        await asyncio.sleep(0.5)
        await citizen.reload()
    text = await download(citizen, re.compile("^Pieņemšanas-nodošanas akts"), tmp_path)
    assert INVENTORY in text
    assert SERIAL in text
    assert world.child.family_name in text
    await citizen.context.close()

    await assert_parent_was_told(app_id, world)


async def mail_for(app_id: str) -> list[dict[str, Any]]:
    import httpx

    async with httpx.AsyncClient(base_url=MAIL) as http:
        response = await http.get("/messages")
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()
    # The sink lives as long as the play, so earlier runs' mail is not there;
    # the application's own link tells this one's messages from any other's.
    return [
        m
        for m in messages
        if CONTACT_EMAIL in m["to"] and f"{GATEWAY}/pieteikumi/{app_id}" in m["text"]
    ]


def kinds_of(messages: list[dict[str, Any]]) -> list[str]:
    return [
        kind
        for m in messages
        for kind, subject in EXPECTED_SUBJECTS.items()
        if subject.match(m["subject"])
    ]


async def assert_parent_was_told(app_id: str, world: World) -> None:
    """The notifications service, through the mail sink: the parent's contact
    address got each status message once, in Latvian, linking to the gateway,
    and none carries a personal code."""
    deadline = asyncio.get_running_loop().time() + 60
    messages = await mail_for(app_id)
    while set(kinds_of(messages)) != set(EXPECTED_SUBJECTS):
        assert asyncio.get_running_loop().time() < deadline, (
            f"after 60 s the sink holds {[m['subject'] for m in messages]}"
        )
        await asyncio.sleep(1)
        messages = await mail_for(app_id)
    assert sorted(kinds_of(messages)) == sorted(EXPECTED_SUBJECTS), [m["subject"] for m in messages]
    codes = {world.parent.code, world.child.code, world.employee.code}
    for message in messages:
        text = message["text"]
        assert text.startswith("Labdien!"), text
        links = re.findall(r"https?://\S+", text)
        assert links, text
        assert all(link.startswith(f"{GATEWAY}/pieteikumi/{app_id}") for link in links), links
        for part in (message["subject"], text):
            assert not PERSONAL_CODE.search(part), part
            assert not any(code in part for code in codes), part
