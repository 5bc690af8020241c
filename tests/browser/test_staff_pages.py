"""The schools' staff pages (/skola/) in a real browser through the gateway:
an employee signs in through the stand-in and the registers' employment, sees
the inbox, grants an application with a confirmation, makes it ready for
issue, meets a change made meanwhile, and closes the school for applications
in its lending settings; the registers' lookups follow. axe-core on every page."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from edu_registry_reader.domain.records import EmploymentRecord
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer, eventually
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import Check, Shoot, SignIn, press_on, wait_for_link
from tests.conftest import Stack
from tests.flows import (
    Actors,
    accept_terms,
    complete_draft,
    ok,
    ready_with_item,
    register_item,
    staff_post,
    wait_status,
)
from tests.world import World

APPS = "/api/v1/applications"


def actors_of(gateway: GatewayKeys, w: World) -> Actors:
    def citizen(p: Any) -> dict[str, str]:
        return bearer(gateway.mint(p.code, given_name=p.given_name, family_name=p.family_name))

    staff = bearer(gateway.mint(w.employee.code, role="staff", institution_id=w.institution_id))
    return Actors(
        world=w,
        parent=citizen(w.parent),
        adult=citizen(w.adult_learner),
        employee_citizen=citizen(w.employee),
        stranger=citizen(w.stranger),
        staff=staff,
        other_staff=staff,
    )


async def submitted_app(stack: Stack, a: Actors) -> dict[str, Any]:
    await accept_terms(stack, a.parent)
    app = await complete_draft(stack, a, a.parent)
    await ok(
        await stack.applications.client.post(
            f"{APPS}/{app['id']}/submit", json={"version": app["version"]}, headers=a.parent
        ),
        202,
    )
    return await wait_status(stack, app["id"], a.parent, "submitted")


async def test_staff_sign_in_decide_issue_and_lending_settings(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
) -> None:
    a = actors_of(gateway, world)
    app = await submitted_app(stack, a)

    # Sign in through the stand-in, then as staff of the institution the registers name.
    await sign_in(page, world.employee)
    await page.goto(f"{site.url}/skola/")
    await expect(page).to_have_url(f"{site.url}/skola/ieiet")
    await expect(page.get_by_role("heading", name="Kurā iestādē strādājat?")).to_be_visible()
    await check_axe(page)
    await screenshot(page, "skola-ieiet")
    await page.get_by_role("button", name="Turpināt").click()
    await expect(page.get_by_role("heading", name="Iesniegumi", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name="Iesniegts (1)")).to_be_visible()
    await check_axe(page)
    await screenshot(page, "skola-iesniegumi")

    # Search ignores diacritics; the row opens the application.
    await page.get_by_label("Izglītojamā vārds").fill("berzins")
    await page.get_by_role("button", name="Rādīt").click()
    await page.get_by_role("link", name="Jānis Bērziņš").click()
    await expect(page.get_by_role("heading", name="Jānis Bērziņš")).to_be_visible()
    await check_axe(page)
    await screenshot(page, "skola-iesniegums")

    # Grant, with a confirmation.
    await page.get_by_role("link", name="Piešķirt", exact=True).click()
    await page.get_by_role("button", name="Turpināt").click()
    await expect(
        page.get_by_role("heading", name="Pārbaudiet un apstipriniet: Piešķirt resursu")
    ).to_be_visible()
    await check_axe(page)
    await page.get_by_role("button", name="Apstiprināt: Piešķirt").click()
    await expect(page.get_by_role("status")).to_contain_text("Izdarīts")
    await expect(page.locator("strong.tag", has_text="Piešķirts")).to_be_visible()

    # "Gatavs izsniegšanai" with an item of the register, scanned; a change
    # made meanwhile is said so.
    number = f"INV-{app['id'][:8]}"  # the browser tests share one register
    await register_item(stack, a, number)
    await page.get_by_role("link", name="Gatavs izsniegšanai").click()
    await check_axe(page)
    await page.get_by_label("Inventāra vai sērijas numurs").fill(number)
    await page.get_by_label("Inventāra vai sērijas numurs").press("Enter")
    await expect(page.get_by_text(f"SN-{number}")).to_be_visible()
    # Meanwhile the parent withdraws it in their own session.
    current = await ok(await stack.applications.client.get(f"{APPS}/{app['id']}", headers=a.parent))
    await ok(
        await stack.applications.client.post(
            f"{APPS}/{app['id']}/withdraw", json={"version": current["version"]}, headers=a.parent
        )
    )
    await page.get_by_role("button", name=re.compile("^Apstiprināt: rezervēt")).click()
    await expect(
        page.get_by_role("heading", name="Pieteikums pa to laiku ir mainījies")
    ).to_be_visible()
    await check_axe(page)

    # Lending settings: the school stops accepting applications.
    await page.goto(f"{site.url}/skola/iestatijumi")
    await expect(
        page.get_by_role("heading", name="Resursu izsniegšanas iestatījumi")
    ).to_be_visible()
    await check_axe(page)
    await screenshot(page, "skola-iestatijumi")
    await page.locator("#accepting-no").check()
    await page.get_by_role("button", name="Saglabāt iestatījumus").click()
    await expect(page.get_by_role("status")).to_contain_text("Saglabāts")
    await expect(page.get_by_text("Ūna Šķēle").first).to_be_visible()

    async def closed() -> bool:
        r = await stack.registry.client.get(
            f"/api/v1/lookups/institutions/{world.institution_id}", headers=a.parent
        )
        return r.json()["accepting_applications"] is False

    await eventually(closed, timeout=20)

    # The issued-items page.
    await page.goto(f"{site.url}/skola/izsniegtie")
    await expect(page.get_by_role("heading", name="Izsniegtie resursi")).to_be_visible()
    await check_axe(page)


async def staff_sign_in(page: Page, site: Site, sign_in: SignIn, world: World) -> None:
    await sign_in(page, world.employee)
    await page.goto(f"{site.url}/skola/")
    await page.get_by_role("button", name="Turpināt").click()
    await expect(page.get_by_role("heading", name="Iesniegumi", exact=True)).to_be_visible()


async def registry_accepting(stack: Stack, a: Actors, institution_id: str, accepting: bool) -> None:
    async def probe() -> bool:
        r = await stack.registry.client.get(
            f"/api/v1/lookups/institutions/{institution_id}", headers=a.parent
        )
        return r.json()["accepting_applications"] is accepting

    await eventually(probe, timeout=20)


async def test_the_schools_settings_decide_what_a_citizen_can_choose(
    page: Page,
    browser: Browser,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
) -> None:
    """Item 7 of #12: the school closes applications and a citizen cannot choose
    it in step 2; it reopens and adds an individual-use offer, which appears in
    step 4, while an on-premises-only one does not."""
    a = actors_of(gateway, world)
    await staff_sign_in(page, site, sign_in, world)
    await page.goto(f"{site.url}/skola/iestatijumi")
    await page.locator("#accepting-no").check()
    await page.get_by_role("button", name="Saglabāt iestatījumus").click()
    await expect(page.get_by_role("status")).to_contain_text("Saglabāts")
    await registry_accepting(stack, a, world.institution_id, False)

    # The parent, in a browser of their own.
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="lv-LV", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    citizen = await context.new_page()
    try:
        await sign_in(citizen, world.parent)
        await citizen.goto(f"{site.url}/pieteikumi/noteikumi")
        await citizen.get_by_label("Piekrītu e-pakalpojuma lietošanas noteikumiem").check()
        await citizen.get_by_role("button", name="Autentificēties, lai uzsāktu pakalpojumu").click()
        await citizen.get_by_label(re.compile(world.child.full_name)).check()
        await citizen.get_by_role("button", name="Turpināt").click()
        await citizen.get_by_label(re.compile("Rīgas .* vidusskola")).check()
        await citizen.get_by_role("button", name="Turpināt").click()
        await expect(citizen.locator("#institution-error")).to_contain_text(
            "pašlaik nepieņem resursu pieteikumus"
        )

        # The school reopens: the tablet is used only on its premises now, and a
        # document camera is lent for individual use.
        await page.goto(f"{site.url}/skola/iestatijumi")
        await page.locator("#accepting").check()
        await page.locator("#offer-1-use-on_premises").check()
        await page.locator("#offer-2-resource_type").select_option("other")
        await page.locator("#offer-2-description").fill("Dokumentu kamera")
        await check_axe(page)
        await page.get_by_role("button", name="Saglabāt iestatījumus").click()
        await expect(page.get_by_role("status")).to_contain_text("Saglabāts")
        await expect(page.get_by_text("Dokumentu kamera").first).to_be_visible()
        await registry_accepting(stack, a, world.institution_id, True)

        await citizen.get_by_label(re.compile("Rīgas .* vidusskola")).check()
        await citizen.get_by_role("button", name="Turpināt").click()
        await citizen.get_by_label("Jā", exact=True).check()
        await citizen.get_by_label("Trūcīga ģimene").check()
        await citizen.get_by_role("button", name="Turpināt").click()
        await expect(citizen.get_by_text("Dokumentu kamera")).to_be_visible()
        await expect(citizen.get_by_label(re.compile("^Portatīvais dators"))).to_be_visible()
        await expect(citizen.get_by_text("Planšetdators")).to_have_count(0)
    finally:
        await context.close()


async def read_text(path: Path) -> str:
    return await asyncio.to_thread(path.read_text, encoding="utf-8-sig")


async def read_bytes(path: Path) -> bytes:
    return await asyncio.to_thread(path.read_bytes)


async def test_bulk_grant_export_handover_and_return_and_another_school_gets_404(
    page: Page,
    browser: Browser,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
    screenshot: Shoot,
) -> None:
    a = actors_of(gateway, world)
    child_app = await submitted_app(stack, a)
    await accept_terms(stack, a.employee_citizen)
    own = await complete_draft(stack, a, a.employee_citizen, role="employee")
    await ok(
        await stack.applications.client.post(
            f"{APPS}/{own['id']}/submit",
            json={"version": own["version"]},
            headers=a.employee_citizen,
        ),
        202,
    )
    await wait_status(stack, own["id"], a.employee_citizen, "submitted")
    for n in (1, 2):  # two laptops in the register: a bulk grant grants no more than is free
        item = {"resource_type": "laptop", "model": "Lenovo 300e", "target_group": "everyone"}
        item |= {
            "inventory_number": f"BG-{own['id'][:8]}-{n}",
            "serial_number": f"SN-{own['id']}-{n}",
        }
        await ok(
            await stack.applications.client.post(
                "/api/v1/staff/item-register/items", json=item, headers=a.staff
            ),
            201,
        )

    # Bulk grant of both, with a confirmation.
    await staff_sign_in(page, site, sign_in, world)
    await page.locator("input[name=app]").first.check()
    await page.locator("input[name=app]").nth(1).check()
    await page.get_by_role("button", name="Piešķirt izvēlētajiem iesniegumiem").click()
    await expect(page.get_by_role("heading", name="Piešķirt šiem iesniegumiem?")).to_be_visible()
    await check_axe(page)
    await page.get_by_role("button", name="Jā, piešķirt").click()
    await expect(page.get_by_role("heading", name="Piešķirti: 2")).to_be_visible()
    await screenshot(page, "skola-pieskirti")
    await page.get_by_role("link", name="Atpakaļ uz iesniegumiem").click()
    await expect(page.get_by_role("link", name="Piešķirts (2)")).to_be_visible()

    # The export, opened and its rows checked.
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Eksportēt CSV").click()
    text = await read_text(await (await info.value).path())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Iesnieguma numurs", "Iesniegts", "Statuss", "Izglītojamais"]
    assert {r[3] for r in rows[1:]} == {world.child.full_name, world.employee.full_name}
    assert {r[2] for r in rows[1:]} == {"Piešķirts"}
    assert world.child.code not in text

    # Ready for issue, then the parent confirms the receipt in their own browser.
    await page.goto(f"{site.url}/skola/iesniegumi/{child_app['id']}")
    issued = f"BG-{own['id'][:8]}-1"
    await page.get_by_role("link", name="Gatavs izsniegšanai").click()
    await page.get_by_label("Inventāra vai sērijas numurs").fill(issued)
    await page.get_by_label("Inventāra vai sērijas numurs").press("Enter")
    await page.get_by_role("button", name=re.compile("^Apstiprināt: rezervēt")).click()
    await expect(page.locator("strong.tag", has_text="Gatavs izsniegšanai")).to_be_visible()

    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="lv-LV", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    citizen = await context.new_page()
    try:
        await sign_in(citizen, world.parent)
        await citizen.goto(f"{site.url}/pieteikumi/{child_app['id']}/sanemsana")
        await expect(citizen.get_by_text(issued)).to_be_visible()
        await citizen.get_by_label(re.compile("^Esmu saņēmis resursu")).check()
        await citizen.get_by_role("button", name="Apstiprināt saņemšanu").click()
        await expect(citizen.locator("p .tag")).to_have_text("Izsniegts")
        act = await wait_for_link(citizen, re.compile("^Pieņemšanas-nodošanas akts"))
        async with citizen.expect_download() as got:
            await act.click()
        assert (await read_bytes(await (await got.value).path())).startswith(b"%PDF")
    finally:
        await context.close()

    # The school sees the item issued, and can download the same act.
    await page.goto(f"{site.url}/skola/izsniegtie?stavoklis=issued")
    await expect(page.get_by_role("cell", name=issued)).to_be_visible()
    await check_axe(page)
    await screenshot(page, "skola-izsniegtie")
    await page.goto(f"{site.url}/skola/iesniegumi/{child_app['id']}")
    await wait_for_link(page, "Lejupielādēt (PDF)")
    async with page.expect_download() as got:
        await page.get_by_role("link", name="Lejupielādēt (PDF)").first.click()
    assert (await read_bytes(await (await got.value).path())).startswith(b"%PDF")

    # The return, with its act.
    await page.get_by_role("link", name="Reģistrēt atgriešanu").click()
    await page.get_by_label("Labā stāvoklī").check()
    await page.get_by_label("Piezīme (nav obligāti)").fill("Ar lādētāju")
    await check_axe(page)
    await page.get_by_role("button", name="Turpināt").click()
    await page.get_by_role("button", name="Apstiprināt: Reģistrēt atgriešanu").click()
    await expect(page.locator("strong.tag", has_text="Atgriezts")).to_be_visible()
    await wait_for_link(page, "Lejupielādēt (PDF)", count=2)

    # Staff of another school: 404 for this application.
    await stack.db(stack.registry_settings)["employees"].insert_one(
        EmploymentRecord(
            person_code=world.stranger.code,
            institution_id=world.other_institution_id,
            position="Skolotājs",
            employed_from=dt.date.today() - dt.timedelta(days=30),
        ).to_doc()
    )
    other = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="lv-LV")
    other.set_default_timeout(15_000)
    stranger = await other.new_page()
    try:
        await sign_in(stranger, world.stranger)
        await stranger.goto(f"{site.url}/skola/")
        await stranger.get_by_role("button", name="Turpināt").click()
        await expect(stranger.get_by_role("link", name="Visi (0)")).to_be_visible()
        response = await stranger.goto(f"{site.url}/skola/iesniegumi/{child_app['id']}")
        assert response is not None
        assert response.status == 404
    finally:
        await other.close()


async def test_a_refusal_in_english_by_keyboard_alone(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
) -> None:
    a = actors_of(gateway, world)
    await submitted_app(stack, a)
    await staff_sign_in(page, site, sign_in, world)
    await page.goto(f"{site.url}/skola/?lang=en")
    await expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
    await press_on(page, page.get_by_role("link", name=world.child.full_name))
    await expect(page.get_by_role("heading", name=world.child.full_name)).to_be_visible()
    await press_on(page, page.get_by_role("link", name="Refuse", exact=True))
    await expect(page.get_by_role("heading", name="Refuse the application")).to_be_visible()
    # Nothing typed: the error is said, and the summary links to the field.
    await press_on(page, page.get_by_role("button", name="Continue"))
    await expect(page.get_by_role("alert")).to_contain_text("Fill in this field")
    await check_axe(page)
    await press_on(page, page.get_by_role("textbox", name="Reason for the refusal"), "Home")
    await page.keyboard.type("Visi datori jau izsniegti")
    await press_on(page, page.get_by_role("button", name="Continue"))
    await expect(page.get_by_text("Visi datori jau izsniegti")).to_be_visible()
    await press_on(page, page.get_by_role("button", name="Confirm: Refuse"))
    await expect(page.locator("strong.tag", has_text="Refused")).to_be_visible()
    await expect(page.get_by_role("cell", name="Visi datori jau izsniegti")).to_be_visible()


async def test_postpone_close_an_incident_and_settings_changed_meanwhile(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
) -> None:
    a = actors_of(gateway, world)
    c = stack.applications.client
    # One application issued with a theft reported (through the APIs), one submitted.
    issued = await submitted_app(stack, a)
    await staff_post(stack, a, issued, "decision", {"decision": "grant"})
    await ready_with_item(stack, a, issued)
    current = await ok(await c.get(f"{APPS}/{issued['id']}", headers=a.parent))
    current = await ok(
        await c.post(
            f"{APPS}/{issued['id']}/receipt-confirmation",
            json={"version": current["version"]},
            headers=a.parent,
        )
    )
    await ok(
        await c.post(
            f"{APPS}/{issued['id']}/incidents",
            json={
                "version": current["version"],
                "kind": "stolen",
                "description": "Nozagts autobusā no somas",
            },
            headers=a.parent,
        ),
        201,
    )
    waiting = await submitted_app_for_employee(stack, a)

    await staff_sign_in(page, site, sign_in, world)
    # The open incident shows in the inbox filter and is closed with a note.
    await page.goto(f"{site.url}/skola/?incidents=open")
    await page.get_by_role("link", name=world.child.full_name).click()
    await page.get_by_role("link", name="Slēgt incidentu").click()
    await page.get_by_label("Piezīme").fill("Ziņots policijai")
    await page.get_by_role("button", name="Turpināt").click()
    await page.get_by_role("button", name="Apstiprināt: Slēgt incidentu").click()
    await expect(page.get_by_role("status")).to_contain_text("Izdarīts")
    await expect(page.get_by_text("Ziņots policijai", exact=False)).to_be_visible()
    await expect(page.get_by_role("link", name="Slēgt incidentu")).to_have_count(0)

    # Postpone with a reason and a date.
    await page.goto(f"{site.url}/skola/iesniegumi/{waiting['id']}")
    await page.get_by_role("link", name="Atlikt izskatīšanu").click()
    await page.get_by_label("Atlikšanas iemesls").fill("Gaidām piegādi")
    later = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    await page.get_by_label("Atlikts līdz").fill(later)
    await check_axe(page)
    await page.get_by_role("button", name="Turpināt").click()
    await page.get_by_role("button", name="Apstiprināt: Atlikt").click()
    await expect(page.locator("strong.tag", has_text="Izskatīšana atlikta")).to_be_visible()

    # The settings changed by someone else while the page was open: said so, nothing saved.
    await page.goto(f"{site.url}/skola/iestatijumi")
    await ok(
        await c.put(
            "/api/v1/staff/lending-settings",
            json={"version": 0, "accepting_applications": True, "offers": []},
            headers=a.staff,
        )
    )
    await page.locator("#accepting-no").check()
    await page.get_by_role("button", name="Saglabāt iestatījumus").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "Kāds cits pa to laiku mainīja iestatījumus"
    )
    await check_axe(page)
    settings = await ok(await c.get("/api/v1/staff/lending-settings", headers=a.staff))
    assert settings["accepting_applications"] is True
    assert settings["version"] == 1


async def submitted_app_for_employee(stack: Stack, a: Actors) -> dict[str, Any]:
    await accept_terms(stack, a.employee_citizen)
    app = await complete_draft(stack, a, a.employee_citizen, role="employee")
    await ok(
        await stack.applications.client.post(
            f"{APPS}/{app['id']}/submit",
            json={"version": app["version"]},
            headers=a.employee_citizen,
        ),
        202,
    )
    return await wait_status(stack, app["id"], a.employee_citizen, "submitted")


async def test_the_school_sets_the_address_for_its_daily_digest(
    page: Page,
    site: Site,
    stack: Stack,
    world: World,
    gateway: GatewayKeys,
    sign_in: SignIn,
    check_axe: Check,
) -> None:
    """Issue #23: the lending settings page takes the address for the daily
    digest of new applications; a malformed one is an error at its field."""
    a = actors_of(gateway, world)
    await staff_sign_in(page, site, sign_in, world)
    await page.goto(f"{site.url}/skola/iestatijumi")
    field = page.get_by_label(re.compile("Adrese ikdienas jauno pieteikumu kopsavilkumam"))
    await field.fill("pieteikumi")
    await page.get_by_role("button", name="Saglabāt iestatījumus").click()
    await expect(page.locator("#contact_email-error")).to_contain_text(
        "Ievadiet e-pasta adresi šādi: pieteikumi@skola.lv"
    )
    await check_axe(page)
    await field.fill("pieteikumi@skola.lv")
    await page.get_by_role("button", name="Saglabāt iestatījumus").click()
    await expect(page.get_by_role("status")).to_contain_text("Saglabāts")
    await expect(field).to_have_value("pieteikumi@skola.lv")
    settings = await ok(
        await stack.applications.client.get("/api/v1/staff/lending-settings", headers=a.staff)
    )
    assert settings["contact_email"] == "pieteikumi@skola.lv"
