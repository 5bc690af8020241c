"""E-service A, "Mani dati izglītības reģistros", in a real browser through the
gateway: for oneself, for a child, for a person with no data, the PDF, the
access log, the English switch; every page checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import Check, Shoot, SignIn, pdf_text, stand_in_sign_in
from tests.world import Person, World

BLOCKS = [
    "Informācija par personu",
    "Personas izglītības iestādes",
    "Izglītības dokumenti",
    "Stipendijas",
    "Rinda pirmsskolas iestādē",
]
NO_DATA = "Valsts izglītības informācijas sistēmā nav pieejama informācija par šo personu"


async def _to_whose_page(page: Page, site: Site, check_axe: Check, shoot: Shoot) -> None:
    await page.goto(f"{site.url}/")
    await expect(page).to_have_title(re.compile("Izglītības e-pakalpojumi"))
    await check_axe(page)
    await shoot(page, "01-home")
    await page.get_by_role("link", name="Mani dati izglītības reģistros").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mani dati izglītības reģistros"
    )
    await check_axe(page)
    await shoot(page, "10-my-data-start")
    await page.get_by_role("button", name="Sākt").click()
    await expect(page).to_have_title(re.compile("^Lietošanas noteikumi"))
    await check_axe(page)
    await shoot(page, "11-my-data-terms")
    # Without the checkbox: the error in a summary at the top and at the field.
    await page.get_by_role("button", name="Turpināt").click()
    await expect(page).to_have_title(re.compile("^Kļūda: Lietošanas noteikumi"))
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Radusies problēma")
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#agree")
    await expect(page.locator("#agree-error")).to_contain_text("apstipriniet")
    await check_axe(page)
    await shoot(page, "12-my-data-terms-error")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await page.get_by_role("button", name="Turpināt").click()
    await expect(page).to_have_title(re.compile("^Par kuru personu"))
    await check_axe(page)


async def _block_headings(page: Page) -> list[str]:
    return [h.strip() for h in await page.locator("h2.card__title").all_inner_texts()]


async def test_my_data_about_myself_and_the_pdf(
    page: Page,
    site: Site,
    world: World,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
    tmp_path: Path,
) -> None:
    await sign_in(page, world.adult_learner)
    await _to_whose_page(page, site, check_axe, screenshot)
    await screenshot(page, "13-my-data-whose")
    await page.get_by_label("Par sevi").check()
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page).to_have_title(re.compile("^Dati izglītības reģistros"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text(
        world.adult_learner.full_name
    )
    # The blocks with data, in the seeds' order; the empty ones not shown.
    assert await _block_headings(page) == [BLOCKS[0], BLOCKS[1]]
    await expect(page.get_by_text("Datorsistēmas")).to_be_visible()
    await check_axe(page)
    await screenshot(page, "14-my-data-result")

    await page.get_by_role("button", name="Saglabāt kā PDF").click()
    # The waiting page reloads itself until the printout is rendered.
    await expect(page.get_by_role("heading", name="PDF ir gatavs")).to_be_visible(timeout=20_000)
    await check_axe(page)
    await screenshot(page, "15-my-data-pdf-ready")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Lejupielādēt PDF").click()
    download = await info.value
    pdf = tmp_path / "my-data.pdf"
    await download.save_as(pdf)
    text = await pdf_text(pdf, layout=True)
    assert "Informācija par personu" in text
    assert "Personas izglītības iestādes" in text
    assert world.adult_learner.family_name in text
    assert "Stipendijas" not in text

    await page.get_by_role("link", name="Pabeigt").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Jūs esat pabeidzis")
    await check_axe(page)
    await screenshot(page, "16-my-data-finish")

    # The person sees their own reads in the access log.
    await page.get_by_role("link", name="Kas ir skatījis manus datus").click()
    await expect(page).to_have_title(re.compile("^Kas ir skatījis manus datus"))
    await expect(page.get_by_text("Saglabāts kā PDF").first).to_be_visible()
    await expect(page.get_by_text("Skatīts e-pakalpojumā").first).to_be_visible()
    await check_axe(page)
    await screenshot(page, "17-my-data-access-log")


async def test_my_data_about_my_child_and_a_wrong_code(
    page: Page, site: Site, world: World, sign_in: SignIn, check_axe: Check, screenshot: Shoot
) -> None:
    await sign_in(page, world.parent)
    await page.goto(f"{site.url}/mani-dati/noteikumi")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await page.get_by_role("button", name="Turpināt").click()

    # Another person, with no code: the code is then mandatory.
    await page.get_by_label("Cita persona, kuru pārstāvu (ievadiet personas kodu)").check()
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page.get_by_role("alert")).to_contain_text("Ievadiet pārstāvētās personas kodu")
    await expect(page.locator("#personal_code-error")).to_be_visible()
    await check_axe(page)
    # A code that is not valid.
    await page.get_by_label("Pārstāvētās personas kods").fill("123456-12345")
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page.locator("#personal_code-error")).to_contain_text("derīgu personas kodu")
    await screenshot(page, "18-my-data-whose-error")
    # A valid code of someone not represented: refused at the field.
    await page.get_by_label("Pārstāvētās personas kods").fill(world.stranger.code)
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page.locator("#personal_code-error")).to_contain_text(
        "Reģistros nav ziņu, ka jūs pārstāvat šo personu"
    )
    await check_axe(page)

    # The child, offered from the registers.
    await page.get_by_label(world.child.full_name).check()
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page.get_by_text("Mans nepilngadīgais bērns")).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(world.child.full_name)
    assert await _block_headings(page) == [BLOCKS[0], BLOCKS[1]]
    await expect(page.get_by_text("6.b")).to_be_visible()
    await check_axe(page)


async def test_my_data_of_a_person_without_data_shows_the_exact_message(
    page: Page, site: Site, nobody: Person, sign_in: SignIn, check_axe: Check, screenshot: Shoot
) -> None:
    await sign_in(page, nobody)
    await page.goto(f"{site.url}/mani-dati/noteikumi")
    await page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
    await page.get_by_role("button", name="Turpināt").click()
    await page.get_by_label("Par sevi").check()
    await page.get_by_role("button", name="Rādīt datus").click()
    await expect(page.get_by_text(NO_DATA, exact=True)).to_be_visible()
    assert await _block_headings(page) == []
    await check_axe(page)
    await screenshot(page, "19-my-data-no-data")


async def test_english_switch_is_remembered(
    page: Page, site: Site, world: World, sign_in: SignIn, check_axe: Check
) -> None:
    await page.goto(f"{site.url}/mani-dati/")
    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "My data in the education registers"
    )
    assert await page.get_attribute("html", "lang") == "en"
    await check_axe(page)
    await sign_in_english(page, site, world)
    await page.goto(f"{site.url}/mani-dati/noteikumi")
    await expect(page.get_by_label("I agree to the e-service terms of use")).to_be_visible()
    await page.get_by_role("link", name="Latviešu").click()
    await expect(page.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem")).to_be_visible()


async def sign_in_english(page: Page, site: Site, world: World) -> None:
    await page.goto(f"{site.url}/auth/sign-in")
    await stand_in_sign_in(page, world.parent, method="eID card", language="en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Education e-services")
