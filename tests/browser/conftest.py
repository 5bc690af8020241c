"""Browser tests: Debian's Chromium, driven by Playwright (async API, on the
session's event loop), through the real nginx gateway, in front of the portal
and the four services of ``tests/conftest.py``'s in-process stack.

Fixtures for every browser test (the wizard's too):

- ``site``: the running gateway + portal (``site.url``, ``site.portal_settings``,
  ``site.sessions`` to expire a session);
- ``page``: a fresh browser context and page (1280 px, Latvian) per test;
  ``narrow_page``: the same at 320 px;
- ``world``: new people and institutions in the registers, and in the sign-in
  stand-in's directory (``tests.world.World``);
- ``sign_in(page, person)``: signs in through the stand-in like a person;
- ``check_axe(page)``: axe-core finds no violation of any impact;
- ``screenshot(page, name)``: with ``EDU_SCREENSHOTS=1`` writes
  ``docs/screenshots/<name>.png`` (and ``<name>-320.png`` from a 320 px copy).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.async_playwright import Axe
from edu_portal.app import create_app as create_portal
from edu_portal.people import KnownPerson, PeopleDirectory, write_people
from edu_portal.settings import PortalSettings, SignInMode
from edu_portal.web.session import SessionStore
from edu_registry_reader.domain.records import PersonRecord
from edu_tools.backends import ChildProcess, free_port
from edu_tools.gateway_nginx import start_local
from edu_tools.testing import serving
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.browser.helpers import SignIn, sign_in_at
from tests.world import Person, World, valid_code, years_ago

if TYPE_CHECKING:
    from tests.conftest import Stack

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@dataclass
class Site:
    url: str
    portal_settings: PortalSettings
    sessions: SessionStore
    people_path: Path


@pytest.fixture(scope="session")
async def site(
    stack: Stack,
    edu_data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    span_exporter: InMemorySpanExporter,
) -> AsyncIterator[Site]:
    settings = PortalSettings(
        http_port=free_port(),
        mongo_db=f"edu_portal_{os.getpid()}",
        mongo_url=stack.registry_settings.mongo_url,
        data_dir=edu_data_dir,
        registry_url=stack.registry.base_url,
        applications_url=stack.applications.base_url,
        documents_url=stack.documents.base_url,
        sign_in=SignInMode.STAND_IN,  # local use, asked for explicitly
    )
    write_people(settings.people_path, [])
    app = create_portal(settings, span_exporters=[span_exporter])
    gateway_dir = tmp_path_factory.mktemp("gateway")
    listen = free_port()
    async with serving(app, settings.http_port):
        ports = {
            "registry-reader": stack.registry_settings.http_port,
            "applications": stack.applications_settings.http_port,
            "documents": stack.documents_settings.http_port,
            "portal": settings.http_port,
        }
        gateway: ChildProcess = start_local(gateway_dir, ports, listen_port=listen)
        try:
            portal = app.state["portal"]
            yield Site(
                f"http://127.0.0.1:{listen}", settings, portal.sessions, settings.people_path
            )
        finally:
            gateway.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def _context(browser: Browser, width: int) -> BrowserContext:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="lv-LV", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
async def page(browser: Browser, site: Site) -> AsyncIterator[Page]:
    context = await _context(browser, 1280)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


@pytest.fixture
async def narrow_page(browser: Browser, site: Site) -> AsyncIterator[Page]:
    context = await _context(browser, 320)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


def add_people(path: Path, people: list[Person], featured: dict[str, str]) -> None:
    """Append to the stand-in's directory; only the newest world is featured."""
    current = json.loads(path.read_text("utf-8"))["people"] if path.exists() else []
    known = [KnownPerson.model_validate({**p, "featured": False}) for p in current]
    known += [
        KnownPerson(
            personal_code=p.code,
            given_name=p.given_name,
            family_name=p.family_name,
            kind=featured.get(p.code),
            featured=p.code in featured,
        )
        for p in people
    ]
    write_people(path, known)


@pytest.fixture
async def world(stack: Stack, site: Site) -> World:
    world = await stack.world()
    add_people(
        site.people_path,
        [world.parent, world.child, world.adult_learner, world.employee, world.stranger],
        {
            world.parent.code: "parent-with-minor",
            world.adult_learner.code: "adult-learner",
            world.employee.code: "staff",
            world.stranger.code: "no-data",
        },
    )
    return world


@pytest.fixture
async def nobody(stack: Stack, site: Site) -> Person:
    """A person VIIS knows nothing about (known only from the Population
    Register: ``registered_in_viis`` false), signed in like anyone else."""
    person = Person(valid_code(years_ago(44)), "Ņina", "Ļaudaka")
    record = PersonRecord(
        personal_code=person.code,
        given_name=person.given_name,
        family_name=person.family_name,
        registered_in_viis=False,
    )
    await stack.db(stack.registry_settings)[record.COLLECTION].insert_one(record.to_doc())
    add_people(site.people_path, [person], {person.code: "no-data"})
    return person


@pytest.fixture
def sign_in(site: Site) -> SignIn:
    async def go(page: Page, person: Person, *, method: str = "Internetbanka") -> None:
        await sign_in_at(page, site.url, person, method=method)

    return go


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    results = await Axe().run(page)
    # Every impact, minor included: a "moderate" finding (content outside any
    # landmark) is still a barrier for someone.
    return list(results.response["violations"])


@pytest.fixture
def check_axe() -> Callable[[Page], Awaitable[None]]:
    async def check(page: Page) -> None:
        bad = await axe_violations(page)
        assert not bad, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in bad
        )

    return check


@pytest.fixture
def screenshot() -> Callable[[Page, str], Awaitable[None]]:
    """``EDU_SCREENSHOTS=1 pytest tests/browser`` regenerates docs/screenshots/:
    each page at 1280 px and, from the same page resized, at 320 px."""

    async def shoot(page: Page, name: str) -> None:
        if os.environ.get("EDU_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size or {"width": 1280, "height": 900}
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        await page.set_viewport_size({"width": 320, "height": 640})
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-320.png"), full_page=True)
        await page.set_viewport_size(size)

    return shoot


def directory(site: Site) -> PeopleDirectory:
    return PeopleDirectory(site.people_path)
