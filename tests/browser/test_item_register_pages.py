"""The school's item register in a real browser (#22, its "done when"): a
school imports its laptops, issues one to a learner by scanning its
inventory number, receives it back damaged, sees it in repair, runs a
stocktake that finds one missing, prints labels, and the stock numbers on
the register, the inbox and the lending settings agree. axe-core on every page."""

from __future__ import annotations

import re
from pathlib import Path

from edu_tools.gateway import GatewayKeys
from playwright.async_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import Check, Shoot, SignIn
from tests.browser.test_staff_pages import actors_of, read_bytes, staff_sign_in, submitted_app
from tests.conftest import Stack
from tests.flows import ok, wait_status
from tests.world import World

APPS = "/api/v1/applications"
HEADER = "Resursa veids,Modelis,Inventāra numurs,Sērijas numurs,Mērķa grupa,Finansējums,Stāvoklis"


def spreadsheet(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "klepjdatori.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


async def stock_row(page: Page) -> list[str]:
    """The laptop row of the page's stock table: available, reserved, issued, in
    repair, granted and waiting for an item, free to grant."""
    row = page.locator("table.stock tbody tr", has_text="Portatīvais dators")
    return [t.strip() for t in (await row.locator("td.numeric").all_inner_texts())]


async def test_import_issue_by_scan_return_damaged_and_a_stocktake_finds_one_missing(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
    tmp_path: Path,
) -> None:
    a = actors_of(gateway, world)
    app = await submitted_app(stack, a)
    await staff_sign_in(page, site, sign_in, world)

    # An empty register says so, and the import tells every bad row.
    await page.get_by_role("link", name="Inventāra reģistrs").click()
    await expect(page.get_by_text("Inventāra reģistrs ir tukšs.")).to_be_visible()
    await page.get_by_role("link", name="Importēt resursus").first.click()
    await check_axe(page)
    bad = spreadsheet(
        tmp_path,
        [
            "Portatīvais dators,Lenovo ThinkPad E14,INV-0041,PF-41,Visi izglītojamie,,Jauns",
            "Portatīvais dators,Lenovo ThinkPad E14,INV-0041,PF-42,Visi izglītojamie,,Jauns",
            "Kosmosa kuģis,Lenovo ThinkPad E14,INV-0043,,Visi izglītojamie,,Jauns",
        ],
    )
    await page.get_by_label("Fails").set_input_files(bad)
    await page.get_by_role("button", name="Importēt", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("Nekas netika importēts")
    problems = page.get_by_role("table", name="Problēmas failā")
    await expect(problems).to_contain_text("Inventāra numurs failā ir divreiz")
    await expect(problems).to_contain_text("Nezināms resursa veids")
    await expect(problems).to_contain_text("Nav norādīts sērijas numurs")
    await check_axe(page)
    await screenshot(page, "skola-inventars-imports-problemas")

    # The corrected file: three laptops registered.
    good = spreadsheet(
        tmp_path,
        [
            f"Portatīvais dators,Lenovo ThinkPad E14,INV-00{n},PF-{n},Visi izglītojamie,ESF projekts,Jauns"
            for n in (41, 42, 43)
        ],
    )
    await page.get_by_label("Fails").set_input_files(good)
    await page.get_by_role("button", name="Importēt", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Importēti resursi: 3")
    assert await stock_row(page) == ["3", "0", "0", "0", "0", "3"]
    await check_axe(page)
    await screenshot(page, "skola-inventars")

    # The inbox shows the same stock beside the applications; grant there.
    await page.get_by_role("link", name="Iesniegumi", exact=True).click()
    assert await stock_row(page) == ["3", "0", "0", "0", "0", "3"]
    await page.get_by_role("link", name=world.child.full_name).click()
    await page.get_by_role("link", name="Piešķirt", exact=True).click()
    await page.get_by_role("button", name="Turpināt").click()
    await page.get_by_role("button", name="Apstiprināt: Piešķirt").click()
    await expect(page.locator("strong.tag", has_text="Piešķirts")).to_be_visible()
    await page.goto(f"{site.url}/skola/")
    assert await stock_row(page) == ["3", "0", "0", "0", "1", "2"]
    await page.goto(f"{site.url}/skola/iesniegumi/{app['id']}")

    # Ready for issue by scanning: the scanner types the number and Enter.
    await page.get_by_role("link", name="Gatavs izsniegšanai").click()
    await expect(page.get_by_role("radio")).to_have_count(3)
    await check_axe(page)
    await screenshot(page, "skola-izsniegsana-skenet")
    await page.get_by_label("Inventāra vai sērijas numurs").fill("INV-0042")
    await page.get_by_label("Inventāra vai sērijas numurs").press("Enter")
    await expect(
        page.get_by_role("heading", name="Pārbaudiet un apstipriniet: Gatavs izsniegšanai: resurss")
    ).to_be_visible()
    await expect(page.get_by_text("PF-42")).to_be_visible()
    await check_axe(page)
    await page.get_by_role("button", name=re.compile("^Apstiprināt: rezervēt")).click()
    await expect(page.locator("strong.tag", has_text="Gatavs izsniegšanai")).to_be_visible()
    await expect(page.get_by_text("INV-0042")).to_be_visible()

    # The learner's parent confirms the receipt; the school takes it back damaged.
    current = await ok(await stack.applications.client.get(f"{APPS}/{app['id']}", headers=a.parent))
    await ok(
        await stack.applications.client.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": current["version"]},
            headers=a.parent,
        )
    )
    await wait_status(stack, app["id"], a.parent, "issued")
    await page.goto(f"{site.url}/skola/inventars")
    assert await stock_row(page) == ["2", "0", "1", "0", "0", "2"]
    await page.goto(f"{site.url}/skola/iesniegumi/{app['id']}")
    await page.get_by_role("link", name="Reģistrēt atgriešanu").click()
    await page.get_by_label("Bojāts").check()
    await page.get_by_label("Piezīme (nav obligāti)").fill("Saplaisājis ekrāns")
    await page.get_by_role("button", name="Turpināt").click()
    await page.get_by_role("button", name="Apstiprināt: Reģistrēt atgriešanu").click()
    await expect(page.locator("strong.tag", has_text="Atgriezts")).to_be_visible()

    # The item is in repair, its history names the learner's application.
    await page.goto(f"{site.url}/skola/inventars?meklet=INV-0042")
    await page.get_by_role("link", name="INV-0042").click()
    await expect(page.locator("strong.tag", has_text="Remontā")).to_be_visible()
    history = page.get_by_role("table", name="Vēsture")
    for move in ("Reģistrēts", "Rezervēts iesniegumam", "Izsniegts", "Atgriezts bojāts"):
        await expect(history).to_contain_text(move)
    await check_axe(page)
    await screenshot(page, "skola-inventars-resurss")
    await page.goto(f"{site.url}/skola/inventars")
    assert await stock_row(page) == ["2", "0", "0", "1", "0", "2"]

    # Labels for two items ticked in the list.
    await page.get_by_label("Drukāt uzlīmi resursam INV-0041").check()
    await page.get_by_label("Drukāt uzlīmi resursam INV-0043").check()
    async with page.expect_download() as got:
        await page.get_by_role(
            "button", name="Drukāt uzlīmes atķeksētajiem resursiem (PDF)"
        ).click()
    assert (await read_bytes(await (await got.value).path())).startswith(b"%PDF")

    # The stocktake: two scanned, one ticked... and INV-0043 is missing.
    await page.get_by_role("link", name="Inventarizācijas").click()
    await check_axe(page)
    await page.get_by_role("button", name="Sākt inventarizāciju").click()
    await expect(page.get_by_text("Redzēti 0 no 3 resursiem.")).to_be_visible()
    scan = page.get_by_label("Inventāra vai sērijas numurs")
    await scan.fill("INV-0042")
    await scan.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Redzēts: INV-0042")
    await page.get_by_label("Inventāra vai sērijas numurs").fill("NAV-TADA")
    await page.get_by_label("Inventāra vai sērijas numurs").press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("NAV-TADA nav starp resursiem")
    await check_axe(page)
    await page.get_by_label("Redzēts: INV-0041").check()
    await page.get_by_role("button", name="Atzīmēt atķeksētos resursus kā redzētus").click()
    await expect(page.get_by_text("Redzēti 2 no 3 resursiem.")).to_be_visible()
    await screenshot(page, "skola-inventarizacija")
    await page.get_by_role("button", name="Pabeigt inventarizāciju").click()
    await expect(page.get_by_role("heading", name="Atskaite")).to_be_visible()
    not_seen = page.get_by_role("table", name="Nav redzēti")
    await expect(not_seen).to_contain_text("INV-0043")
    await expect(not_seen).not_to_contain_text("INV-0041")
    await check_axe(page)
    async with page.expect_download() as got:
        await page.get_by_role("link", name="Lejupielādēt atskaiti (PDF)").click()
    assert (await read_bytes(await (await got.value).path())).startswith(b"%PDF")

    # The lending settings show the same counted stock.
    await page.goto(f"{site.url}/skola/iestatijumi")
    await expect(
        page.get_by_text("Inventāra reģistrā: pieejami 2, rezervēti 0, izsniegti 0, remontā 1.")
    ).to_be_visible()
    await check_axe(page)
