"""The portal alone, on the embedded MongoDB, with no back ends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from edu_portal.app import create_app
from edu_portal.settings import PortalSettings, SignInMode
from edu_portal.web.context import Portal
from edu_tools.backends import Backends, free_port
from edu_tools.testing import serving


@pytest.fixture
async def portal_site(edu_backends: Backends, tmp_path: Path) -> AsyncIterator[tuple[str, Portal]]:
    port = free_port()
    settings = PortalSettings(
        http_port=port,
        mongo_db=f"edu_portal_exposed_{uuid.uuid4().hex[:8]}",
        mongo_url=edu_backends.mongo_url,
        data_dir=tmp_path,
        sign_in=SignInMode.STAND_IN,
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
