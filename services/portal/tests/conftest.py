"""The portal alone, on the embedded MongoDB, with no back ends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from edu_portal.app import create_app
from edu_portal.settings import PortalSettings, SignInMode
from edu_portal.web.context import Portal
from edu_portal.web.i18n import Lang, current_lang, set_lang
from edu_portal.web.session import SESSION_COOKIE, Person
from edu_tools.backends import Backends, free_port
from edu_tools.testing import serving

CITIZEN = "010190-10001"
Settings = Callable[..., PortalSettings]


@pytest.fixture
def latvian() -> Iterator[None]:
    """The page's language is Latvian during the test."""
    before = current_lang()
    set_lang(Lang.LV)
    yield
    set_lang(before)


@pytest.fixture
def portal_settings(edu_backends: Backends, tmp_path: Path) -> Settings:
    """``(name, port, sign_in, **more)``: a portal's settings, with a database
    of its own on the embedded MongoDB."""

    def settings(name: str, port: int, sign_in: SignInMode, **more: Any) -> PortalSettings:
        return PortalSettings(
            http_port=port,
            mongo_db=f"edu_portal_{name}_{uuid.uuid4().hex[:8]}",
            mongo_url=edu_backends.mongo_url,
            data_dir=tmp_path,
            sign_in=sign_in,
            **more,
        )

    return settings


@pytest.fixture
async def portal_site(portal_settings: Settings) -> AsyncIterator[tuple[str, Portal]]:
    port = free_port()
    settings = portal_settings(
        "exposed",
        port,
        SignInMode.STAND_IN,
        my_data_reads_per_minute=3,
        # No back ends here (free ports, whatever else runs on the machine):
        # a page that calls one is the "unavailable" page.
        registry_url=f"http://127.0.0.1:{free_port()}",
        applications_url=f"http://127.0.0.1:{free_port()}",
        documents_url=f"http://127.0.0.1:{free_port()}",
    )
    app = create_app(settings)
    async with serving(app, port):
        yield f"http://127.0.0.1:{port}", app.state["portal"]


@pytest.fixture
async def citizen_client(portal_site: tuple[str, Portal]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``portal_site``, signed in as a citizen (``CITIZEN``)."""
    url, portal = portal_site
    cookie, _ = await portal.sessions.open(Person(personal_code=CITIZEN, auth_method="eid"))
    async with httpx.AsyncClient(base_url=url, cookies={SESSION_COOKIE: cookie}) as client:
        yield client
