"""E-service B, the application for an education resource, in a real browser
through the gateway: the wizard from the start page to submitted (with the
errors a person can make on the way), the school's decisions through the
staff API, receipt confirmed in the browser and the handover act read back,
a loss report, a withdrawal that first meets a stale version, an open
application that already exists, the English switch, and one whole wizard by
keyboard alone. Every page is checked with axe-core and must fit 320 px."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer, eventually
from playwright.async_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import (
    Check,
    Shoot,
    SignIn,
    continue_,
    pdf_text,
    press_on,
    stand_in_sign_in,
    tab_to,
    title_starts,
    wait_for_link,
)
from tests.conftest import Stack
from tests.flows import ITEMS, Actors, complete_draft, item_body, messages_shown, ok, wait_status
from tests.mail import PORTAL, Mailbox, notifications_delivering, text_of
from tests.world import Person, World

APPS = "/api/v1/applications"
STAFF = "/api/v1/staff/applications"


WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > 321)
  .slice(-3).map(e => e.tagName + "." + e.className + " " + (e.id || ""))"""


async def fits_320(page: Page) -> None:
    """Nothing wider than a 320 px screen (no sideways scrolling of the page)."""
    size = page.viewport_size or {"width": 1280, "height": 900}
    await page.set_viewport_size({"width": 320, "height": 640})
    width = await page.evaluate("document.documentElement.scrollWidth")
    wide = await page.evaluate(WIDEST) if width > 320 else []
    await page.set_viewport_size(size)
    assert width <= 320, f"{page.url} is {width} px wide at 320 px: {wide}"


async def checked(page: Page, check_axe: Check, shoot: Shoot, name: str) -> None:
    """axe-core, 320 px, and a screenshot of the page as it is now."""
    await check_axe(page)
    await fits_320(page)
    await shoot(page, name)


def staff_headers(gateway: GatewayKeys, world: World) -> dict[str, str]:
    return bearer(
        gateway.mint(
            world.employee.code,
            role="staff",
            institution_id=world.institution_id,
            given_name=world.employee.given_name,
            family_name=world.employee.family_name,
        )
    )


async def staff_action(
    stack: Stack, headers: dict[str, str], app_id: str, action: str, body: dict[str, Any]
) -> dict[str, Any]:
    c = stack.applications.client
    current = await ok(await c.get(f"{STAFF}/{app_id}", headers=headers))
    return await ok(
        await c.post(
            f"{STAFF}/{app_id}/{action}",
            json={"version": current["version"], **body},
            headers=headers,
        )
    )


def app_id_of(page: Page) -> str:
    found = re.search(r"/pieteikumi/([0-9a-f-]{36})", page.url)
    assert found, page.url
    return found.group(1)


@pytest.fixture
async def mailbox(make_settings: Callable[..., Any]) -> AsyncIterator[Mailbox]:
    """The notifications service delivering to a real SMTP server's mailbox."""
    async with notifications_delivering(make_settings) as (box, _):
        yield box


async def test_application_from_start_page_to_issued_with_a_loss_report(
    page: Page,
    site: Site,
    mailbox: Mailbox,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
    tmp_path: Path,
) -> None:
    # Start page and terms are public: agreeing leads through sign-in.
    await page.goto(f"{site.url}/")
    await page.get_by_role("link", name="Pieteikties izglītības resursam").click()
    await title_starts(page, "Pieteikties izglītības resursam")
    await checked(page, check_axe, screenshot, "30-apply-start")
    await page.get_by_role("button", name="Sākt").click()
    await title_starts(page, "E-pakalpojuma lietošanas noteikumi")
    start = page.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu")
    await start.click()
    await title_starts(page, "Kļūda: E-pakalpojuma lietošanas noteikumi")
    await expect(page.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#agree")
    await checked(page, check_axe, screenshot, "31-apply-terms-error")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await start.click()
    # Not signed in yet: the stand-in's sign-in, then straight to step 1.
    await stand_in_sign_in(page, world.parent)
    # Agreed before signing in: recorded by a form (POST + CSRF), not by a GET.
    await title_starts(page, "E-pakalpojuma lietošanas noteikumi")
    await expect(page.get_by_text("Jūs piekritāt e-pakalpojuma lietošanas")).to_be_visible()
    await continue_(page)

    # Step 1: profile. Nothing chosen is an error at the field and at the top.
    await title_starts(page, "Kam ir pieteikums?")
    await expect(page.get_by_text("1. solis no 7")).to_be_visible()
    await checked(page, check_axe, screenshot, "32-apply-profile")
    await continue_(page)
    await expect(page.locator("#profile-error")).to_contain_text("Izvēlieties, kam ir pieteikums")
    await page.get_by_label(re.compile(world.child.full_name)).check()
    await continue_(page)

    # Step 2: an institution not accepting applications is refused at the field.
    await title_starts(page, "Kurai iestādei ir pieteikums?")
    await expect(page.get_by_text("Pašlaik pieteikumus nepieņem.")).to_be_visible()
    await page.get_by_label(re.compile("Cēsu .* pamatskola")).check()
    await continue_(page)
    await expect(page.locator("#institution-error")).to_contain_text(
        "pašlaik nepieņem resursu pieteikumus"
    )
    await checked(page, check_axe, screenshot, "33-apply-institution-error")
    # The back link keeps the answer of step 1.
    await page.get_by_role("link", name="Atpakaļ").click()
    await expect(page.get_by_label(re.compile(world.child.full_name))).to_be_checked()
    await continue_(page)
    await page.get_by_label(re.compile("Rīgas .* vidusskola")).check()
    await continue_(page)

    # Step 3: social status.
    await title_starts(page, "Vai izglītojamais pieder pie sociāli atbalstāmas grupas?")
    await checked(page, check_axe, screenshot, "34-apply-social-status")
    await page.get_by_label("Nē", exact=True).check()
    await continue_(page)

    # Step 4: a tablet only for socially supported learners is refused.
    await title_starts(page, "Kuru resursu vēlaties?")
    await page.get_by_label(re.compile("^Planšetdators")).check()
    await continue_(page)
    await expect(page.locator("#offer-error")).to_contain_text("sociāli atbalstāmo grupu")
    await checked(page, check_axe, screenshot, "35-apply-resource-error")
    await page.get_by_label(re.compile("^Portatīvais dators")).check()
    await continue_(page)

    # Step 5: the documents, each with its sample to read.
    await title_starts(page, "Dokumenti, kurus apstiprināsiet saņemšanas brīdī")
    previews = page.locator("ul.document-list a")
    assert await previews.count() >= 1
    href = await previews.first.get_attribute("href")
    sample = await page.request.get(f"{site.url}{href}")
    assert sample.ok
    assert (await sample.body()).startswith(b"%PDF")
    await checked(page, check_axe, screenshot, "36-apply-documents")
    await continue_(page)
    await expect(page.locator("#read-error")).to_be_visible()
    await page.get_by_label("Esmu izlasījis dokumentus").check()
    await continue_(page)

    # Step 6: contact details, validated at the fields.
    await title_starts(page, "Kā iestāde var ar jums sazināties?")
    await page.get_by_label("Tālruņa numurs").fill("12")
    await page.get_by_label("E-pasta adrese").fill("nav-epasts")
    await continue_(page)
    summary = page.get_by_role("alert")
    await expect(summary.get_by_role("link")).to_have_count(2)
    await expect(page.locator("#phone-error")).to_be_visible()
    await expect(page.locator("#email-error")).to_be_visible()
    await checked(page, check_axe, screenshot, "37-apply-contact-error")
    await page.get_by_label("Tālruņa numurs").fill("2612 3456")
    await page.get_by_label("E-pasta adrese").fill("liga@example.lv")
    await continue_(page)

    # Check your answers; "Change" goes back with the answer kept.
    await title_starts(page, "Pārbaudiet atbildes pirms iesniegšanas")
    await expect(page.get_by_text("7. solis no 7")).to_be_visible()
    await expect(page.get_by_text("+37126123456")).to_be_visible()
    await checked(page, check_axe, screenshot, "38-apply-check")
    await page.get_by_role("link", name="Mainīt kontaktinformāciju").click()
    await expect(page.get_by_label("E-pasta adrese")).to_have_value("liga@example.lv")
    await continue_(page)
    await page.get_by_role("button", name="Iesniegt pieteikumu").click()

    # Being verified, then submitted: the page refreshes itself.
    panel = page.locator(".panel")
    await expect(panel).to_contain_text("Pieteikums iesniegts", timeout=20_000)
    app_id = app_id_of(page)
    # The number a person can read out on the phone, not the UUID (the URL keeps it).
    staff = staff_headers(gateway, world)
    reference = (await ok(await stack.applications.client.get(f"{STAFF}/{app_id}", headers=staff)))[
        "reference"
    ]
    assert re.fullmatch(r"IR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference), reference
    await expect(panel.locator(".reference")).to_have_text(reference)
    await expect(panel).not_to_contain_text(app_id)
    await checked(page, check_axe, screenshot, "39-apply-submitted")

    await page.get_by_role("link", name="Mani pieteikumi").click()
    await title_starts(page, "Mani pieteikumi")
    await expect(page.locator(".application-list").first).to_contain_text(reference)
    await expect(page.locator(".application-list .tag").first).to_have_text("Iesniegts")
    await checked(page, check_axe, screenshot, "40-my-applications")

    # The school decides through the staff API.
    await staff_action(stack, staff, app_id, "decision", {"decision": "grant"})
    number, serial = (
        f"INV-{app_id[:8]}",
        f"SN-{app_id[-8:]}",
    )  # the browser tests share one register
    laptop = await ok(
        await stack.applications.client.post(
            ITEMS,
            json=item_body(number, serial_number=serial),
            headers=staff,
        ),
        201,
    )
    await staff_action(stack, staff, app_id, "item-reservation", {"item_id": laptop["item_id"]})
    await page.goto(f"{site.url}/pieteikumi/{app_id}")
    await expect(page.locator("p .tag")).to_have_text("Gatavs izsniegšanai")
    await expect(page.get_by_role("link", name="Atsaukt pieteikumu")).to_be_visible()
    await expect(page.get_by_role("link", name="Ziņot par pazaudēšanu vai zādzību")).to_have_count(
        0
    )
    await checked(page, check_axe, screenshot, "41-application-ready")

    # Receipt, confirmed in the browser, showing the documents confirmed.
    await page.get_by_role("link", name="Apstiprināt saņemšanu").click()
    await title_starts(page, "Apstipriniet resursa saņemšanu")
    await expect(page.get_by_text(number)).to_be_visible()
    assert await page.locator("ul.document-list li").count() >= 1
    await checked(page, check_axe, screenshot, "42-application-receipt")
    await page.get_by_label(re.compile("^Esmu saņēmis resursu")).check()
    await page.get_by_role("button", name="Apstiprināt saņemšanu").click()
    await expect(page.locator("p .tag")).to_have_text("Izsniegts")

    # The handover act appears when rendered; reloading shows it.
    act = await wait_for_link(page, re.compile("^Pieņemšanas-nodošanas akts"))
    async with page.expect_download() as info:
        await act.click()
    download = await info.value
    pdf = tmp_path / "act.pdf"
    await download.save_as(pdf)
    text = await pdf_text(pdf.read_bytes())
    assert serial in text
    assert number in text
    assert world.child.family_name in text
    await checked(page, check_axe, screenshot, "43-application-issued")

    # Loss or theft: the description is mandatory.
    await page.get_by_role("link", name="Ziņot par pazaudēšanu vai zādzību").click()
    await page.get_by_role("button", name="Ziņot iestādei").click()
    await expect(page.locator("#kind-error")).to_be_visible()
    await expect(page.locator("#description-error")).to_be_visible()
    await checked(page, check_axe, screenshot, "44-application-loss-error")
    await page.get_by_label("Nozagts").check()
    await page.get_by_label("Aprakstiet, kas notika").fill("Nozagts no somas autobusā 7. maršrutā.")
    await page.get_by_label("Notikuma datums (ja zināt)").fill("99.99.2026")
    await page.get_by_role("button", name="Ziņot iestādei").click()
    await expect(page.locator("#occurred_on-error")).to_be_visible()
    await page.get_by_label("Notikuma datums (ja zināt)").fill("")
    await page.get_by_role("button", name="Ziņot iestādei").click()
    await expect(
        page.get_by_role("heading", name="Paziņota pazaudēšana vai zādzība")
    ).to_be_visible()
    await expect(page.get_by_text("Nozagts no somas autobusā")).to_be_visible()
    body = await ok(await stack.applications.client.get(f"{STAFF}/{app_id}", headers=staff))
    assert [i["kind"] for i in body["incidents"]] == ["stolen"]

    # Told by e-mail all along, without signing in again: each message once,
    # in Latvian, linking to this application's page, which lists them.
    ref = body["reference"]
    expected = [
        f"Pieteikums {ref} ir iesniegts",
        f"Pieteikums {ref} ir apstiprināts",
        f"Gatavs izsniegšanai: pieteikums {ref}",
        f"Pieņemšanas-nodošanas akts: pieteikums {ref}",
        f"Ziņojums saņemts: pieteikums {ref}",
    ]

    async def all_told() -> list[EmailMessage] | None:
        got = mailbox.about(app_id)
        return got if len(got) >= len(expected) else None

    told = await eventually(all_told, timeout=60)
    assert sorted(str(m["Subject"]) for m in told) == sorted(expected)
    link = f"{PORTAL}/pieteikumi/{app_id}"
    assert f"Atvērt portālā: {link}" in text_of(told[0]).splitlines()
    # The page lists what applications has recorded as sent: each message's
    # event follows its delivery by a Kafka hop.
    await messages_shown(stack, app_id, staff, len(expected), url=STAFF)
    await page.goto(link.replace(PORTAL, site.url))
    await expect(page.get_by_role("heading", name="Paziņojumi")).to_be_visible()
    for subject in expected:
        await expect(page.get_by_text(subject, exact=True)).to_be_visible()
    await checked(page, check_axe, screenshot, "45-application-messages")
    assert len(mailbox.about(app_id)) == len(expected)


async def test_open_application_exists_stale_version_and_withdrawal(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
) -> None:
    parent = bearer(
        gateway.mint(
            world.parent.code,
            given_name=world.parent.given_name,
            family_name=world.parent.family_name,
        )
    )
    c = stack.applications.client
    await ok(
        await c.post("/api/v1/terms/resource-applications/acceptance", json={}, headers=parent), 201
    )
    actors = Actors(world, parent, parent, parent, parent, parent, parent)
    draft = await complete_draft(stack, actors, parent)
    await ok(
        await c.post(
            f"{APPS}/{draft['id']}/submit", json={"version": draft["version"]}, headers=parent
        ),
        202,
    )
    existing = await wait_status(stack, draft["id"], parent, "submitted")

    # A second application for the same child and resource type is refused
    # at step 4 with a link to the open one.
    await sign_in(page, world.parent)
    await page.goto(f"{site.url}/pieteikumi/mani")
    await page.get_by_role("button", name="Jauns pieteikums").click()
    await title_starts(page, "Kam ir pieteikums?")
    await page.get_by_label(re.compile(world.child.full_name)).check()
    await continue_(page)
    await page.get_by_label(re.compile("Rīgas .* vidusskola")).check()
    await continue_(page)
    await page.get_by_label("Nē", exact=True).check()
    await continue_(page)
    await page.get_by_label(re.compile("^Portatīvais dators")).check()
    await continue_(page)
    await expect(page.locator("#offer-error")).to_contain_text("jau ir atvērts pieteikums")
    await checked(page, check_axe, screenshot, "45-apply-open-application-exists")
    await page.get_by_role("link", name="Atvērt jau iesākto pieteikumu").click()
    assert app_id_of(page) == existing["id"]

    # Withdraw, but the application changes in between (another window):
    # the person is told, with the current state, and nothing is withdrawn.
    await page.get_by_role("link", name="Atsaukt pieteikumu").click()
    await title_starts(page, "Vai tiešām vēlaties atsaukt pieteikumu?")
    await checked(page, check_axe, screenshot, "46-application-withdraw")
    await ok(
        await c.patch(
            f"{APPS}/{existing['id']}/contact",
            json={"version": existing["version"], "phone": "2999 0000", "email": "cits@example.lv"},
            headers=parent,
        )
    )
    await page.get_by_role("button", name="Atsaukt pieteikumu").click()
    await title_starts(page, "Pieteikums pa to laiku ir mainījies")
    await expect(page.locator(".tag")).to_have_text("Iesniegts")
    await checked(page, check_axe, screenshot, "47-application-changed-meanwhile")
    await page.get_by_role("link", name="Skatīt pieteikumu tādu, kāds tas ir tagad").click()
    await expect(page.get_by_text("cits@example.lv")).to_be_visible()

    # Edit the contact details, then withdraw for real.
    await page.get_by_role("link", name="Mainīt kontaktinformāciju").click()
    await page.get_by_label("E-pasta adrese").fill("")
    await page.get_by_role("button", name="Saglabāt kontaktinformāciju").click()
    await expect(page.locator("#email-error")).to_be_visible()
    await checked(page, check_axe, screenshot, "48-application-edit-contact-error")
    await page.get_by_label("E-pasta adrese").fill("liga@example.lv")
    await page.get_by_role("button", name="Saglabāt kontaktinformāciju").click()
    await expect(page.get_by_text("liga@example.lv")).to_be_visible()
    await page.get_by_role("link", name="Atsaukt pieteikumu").click()
    await page.get_by_role("button", name="Atsaukt pieteikumu").click()
    await expect(page.locator("p .tag")).to_have_text("Atsaukts")
    await expect(page.get_by_role("link", name="Atsaukt pieteikumu")).to_have_count(0)
    history = page.locator("table tbody tr")
    await expect(history.first).to_contain_text("Atsaukts")
    await checked(page, check_axe, screenshot, "49-application-withdrawn")

    # The draft left at step 4 is in "My applications"; it goes on where it stopped.
    await page.get_by_role("link", name="Atpakaļ").click()
    in_progress = page.locator(".application-list__item", has_text="Melnraksts")
    await in_progress.get_by_role("link").click()
    await page.get_by_role("button", name="Turpināt pieteikumu").click()
    await title_starts(page, "Kuru resursu vēlaties?")


async def test_english_switch_on_a_wizard_page(
    page: Page, site: Site, world: World, sign_in: SignIn, check_axe: Check
) -> None:
    await sign_in(page, world.adult_learner)
    await page.goto(f"{site.url}/pieteikumi/noteikumi")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await page.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu").click()
    await page.get_by_label("Sev kā pilngadīgam izglītojamajam").check()
    await continue_(page)
    await title_starts(page, "Kurai iestādei ir pieteikums?")
    await page.get_by_role("link", name="English").click()
    await title_starts(page, "Which institution is the application for?")
    await expect(page.get_by_text("Step 2 of 7")).to_be_visible()
    assert await page.get_attribute("html", "lang") == "en"
    await check_axe(page)
    await page.get_by_role("button", name="Continue").click()
    await expect(page.locator("#institution-error")).to_have_text(
        re.compile("Choose the institution")
    )
    await page.get_by_role("link", name="Back").click()
    await expect(page.get_by_label("Myself, as an adult learner")).to_be_checked()
    await page.get_by_role("link", name="Latviešu").click()
    await title_starts(page, "Kam ir pieteikums?")


async def test_whole_wizard_by_keyboard_alone(
    page: Page, site: Site, world: World, sign_in: SignIn
) -> None:
    learner: Person = world.adult_learner
    await sign_in(page, learner)
    await page.goto(f"{site.url}/pieteikumi/")
    await press_on(page, page.get_by_role("button", name="Sākt"), "Enter")
    await press_on(page, page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem"), " ")
    await press_on(
        page, page.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu"), "Enter"
    )
    await title_starts(page, "Kam ir pieteikums?")
    await press_on(page, page.get_by_label("Sev kā pilngadīgam izglītojamajam"), " ")
    await press_on(page, page.get_by_role("button", name="Turpināt"), "Enter")
    await title_starts(page, "Kurai iestādei ir pieteikums?")
    await press_on(page, page.get_by_label(re.compile("Valmieras .* tehnikums")), " ")
    await press_on(page, page.get_by_role("button", name="Turpināt"), "Enter")
    await title_starts(page, "Vai izglītojamais pieder")
    await press_on(page, page.get_by_label("Nē", exact=True), " ")
    await press_on(page, page.get_by_role("button", name="Turpināt"), "Enter")
    await title_starts(page, "Kuru resursu vēlaties?")
    await press_on(page, page.get_by_label(re.compile("^Portatīvais dators")), " ")
    await press_on(page, page.get_by_role("button", name="Turpināt"), "Enter")
    await title_starts(page, "Dokumenti")
    await press_on(page, page.get_by_label("Esmu izlasījis dokumentus"), " ")
    await press_on(page, page.get_by_role("button", name="Turpināt"), "Enter")
    await title_starts(page, "Kā iestāde var ar jums sazināties?")
    await tab_to(page, page.get_by_label("Tālruņa numurs"))
    await page.keyboard.type("+371 2612 3456")
    await page.keyboard.press("Tab")
    await page.keyboard.type("girts@example.lv")
    await page.keyboard.press("Enter")  # submits the form from the text field
    await title_starts(page, "Pārbaudiet atbildes pirms iesniegšanas")
    await press_on(page, page.get_by_role("button", name="Iesniegt pieteikumu"), "Enter")
    await expect(page.locator(".panel")).to_contain_text("Pieteikums iesniegts", timeout=20_000)


async def test_application_pages_of_another_person_are_not_found(
    page: Page, site: Site, stack: Stack, world: World, gateway: GatewayKeys, sign_in: SignIn
) -> None:
    adult = bearer(gateway.mint(world.adult_learner.code))
    c = stack.applications.client
    await ok(
        await c.post("/api/v1/terms/resource-applications/acceptance", json={}, headers=adult), 201
    )
    theirs = await ok(await c.post(APPS, json={"role": "adult_learner"}, headers=adult), 201)
    await sign_in(page, world.stranger)
    response = await page.goto(f"{site.url}/pieteikumi/{theirs['id']}")
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "adult_learner" not in await page.content()


async def test_rejection_by_the_registers_is_explained(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
) -> None:
    """The school stops accepting applications after the draft was filled: the
    registers reject it on submit, and the page says why in words."""
    parent = bearer(
        gateway.mint(
            world.parent.code,
            given_name=world.parent.given_name,
            family_name=world.parent.family_name,
        )
    )
    c = stack.applications.client
    await ok(
        await c.post("/api/v1/terms/resource-applications/acceptance", json={}, headers=parent),
        201,
    )
    draft = await complete_draft(stack, Actors(world, *[parent] * 6), parent)
    await ok(
        await c.put(
            "/api/v1/staff/lending-settings",
            json={"version": 0, "accepting_applications": False, "offers": []},
            headers=staff_headers(gateway, world),
        )
    )

    async def closed() -> bool | None:
        r = await stack.registry.client.get(
            f"/api/v1/lookups/institutions/{world.institution_id}", headers=parent
        )
        return True if r.json()["accepting_applications"] is False else None

    await eventually(closed, timeout=20)

    await sign_in(page, world.parent)
    await page.goto(f"{site.url}/pieteikumi/{draft['id']}")
    await expect(page.locator("p .tag")).to_have_text("Melnraksts")
    await page.get_by_role("button", name="Turpināt pieteikumu").click()
    await title_starts(page, "Pārbaudiet atbildes pirms iesniegšanas")
    await page.get_by_role("button", name="Iesniegt pieteikumu").click()
    await title_starts(page, "Jūsu pieteikums netika pieņemts")
    await expect(page.get_by_role("main")).to_contain_text(
        "Šī iestāde pašlaik nepieņem resursu pieteikumus."
    )
    await checked(page, check_axe, screenshot, "50-apply-rejected")
    await page.goto(f"{site.url}/pieteikumi/{draft['id']}")
    await expect(page.locator("p .tag")).to_have_text("Noraidīts pārbaudē")


async def test_profile_the_registers_do_not_support_is_refused_at_the_field(
    page: Page, site: Site, world: World, sign_in: SignIn, check_axe: Check
) -> None:
    """A person who neither studies nor works anywhere, and represents nobody."""
    await sign_in(page, world.stranger)
    await page.goto(f"{site.url}/pieteikumi/noteikumi")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await page.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu").click()
    await page.get_by_label("Sev kā pilngadīgam izglītojamajam").check()
    await continue_(page)
    await expect(page.locator("#profile-error")).to_contain_text(
        "Reģistros nav iestādes, kurā jūs pašlaik mācāties."
    )
    await title_starts(page, "Kļūda: Kam ir pieteikums?")
    await check_axe(page)
    await page.get_by_label("Sev kā izglītības iestādes darbiniekam").check()
    await continue_(page)
    await expect(page.locator("#profile-error")).to_contain_text(
        "Reģistros nav iestādes, kurā jūs pašlaik strādājat."
    )
