"""What the browser tests do again and again: sign in through the stand-in,
read a PDF's text, wait for a link, reach a control by keyboard alone, check a
page. The fixtures (``site``, ``page``, ``world``, ``sign_in``, ``check_axe``,
``screenshot`` …) stay in conftest.py; these are plain functions."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from playwright.async_api import Locator, Page, expect

from tests.flows import pdf_to_text as pdf_text
from tests.world import Person

__all__ = [
    "STAND_IN",
    "Check",
    "Shoot",
    "SignIn",
    "continue_",
    "pdf_text",  # a PDF's text, from its file or bytes (tests.flows.pdf_to_text)
    "press_on",
    "sign_in_at",
    "stand_in_sign_in",
    "tab_to",
    "title_starts",
    "wait_for_link",
]

# The fixtures' types: ``sign_in(page, person)``, ``check_axe(page)``,
# ``screenshot(page, name)``.
SignIn = Callable[..., Awaitable[None]]
Check = Callable[[Page], Awaitable[None]]
Shoot = Callable[[Page, str], Awaitable[None]]


@dataclass(frozen=True)
class StandInLabels:
    """The sign-in stand-in's controls, in one language."""

    continue_: str
    another_person: str
    personal_code: str
    submit: str


STAND_IN = {
    "lv": StandInLabels(
        "Turpināt", "Cita persona (ievadiet personas kodu)", "Personas kods", "Autentificēties"
    ),
    "en": StandInLabels(
        "Continue", "Another person (type the personal code)", "Personal code", "Sign in"
    ),
}


async def stand_in_sign_in(
    page: Page, person: Person, *, method: str = "Internetbanka", language: str = "lv"
) -> None:
    """On the stand-in's first page: ``method``, then ``person`` by personal code."""
    labels = STAND_IN[language]
    await page.get_by_label(method).check()
    await page.get_by_role("button", name=labels.continue_).click()
    await page.get_by_label(labels.another_person).check()
    await page.get_by_role("textbox", name=labels.personal_code).fill(person.code)
    await page.get_by_role("button", name=labels.submit).click()


async def sign_in_at(
    page: Page, site_url: str, person: Person, *, method: str = "Internetbanka"
) -> None:
    """Sign in from /auth/sign-in (Latvian) and land on the start page."""
    await page.goto(f"{site_url}/auth/sign-in")
    await stand_in_sign_in(page, person, method=method)
    await page.wait_for_url(f"{site_url}/")


async def wait_for_link(page: Page, name: str | re.Pattern[str], count: int = 1) -> Locator:
    """Wait, without reloading, until ``count`` links named ``name`` are
    there (an act being rendered by documents after a Kafka command): the
    waiting page asks again by itself (static/poll.js), which this proves."""
    link = page.get_by_role("link", name=name)
    await link.nth(count - 1).wait_for(timeout=30_000)
    return link


async def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus (keyboard only, no clicks)."""
    handle = await target.element_handle()
    assert handle is not None
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await handle.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


async def press_on(page: Page, target: Locator, key: str = "Enter") -> None:
    """Tab until ``target`` has the focus, then press ``key`` (keyboard only)."""
    await tab_to(page, target)
    await page.keyboard.press(key)


async def title_starts(page: Page, text: str) -> None:
    await expect(page).to_have_title(re.compile("^" + re.escape(text)))


async def continue_(page: Page) -> None:
    await page.get_by_role("button", name="Turpināt").click()
