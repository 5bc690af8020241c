"""Every back-end service's Swagger UI (/schema/swagger) renders its operations
in Chromium with no network and under the gateway's strict CSP (which the page
itself sends): Swagger UI's files come from the project, its start-up script is
a file, not inline. The gateway does not route /schema, so the services' own
ports are used."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest
from edu_runtime.csp import CSP
from playwright.async_api import Browser, ConsoleMessage, Error, expect

from tests.browser.conftest import TIMEOUT_MS

if TYPE_CHECKING:
    from tests.conftest import Stack


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("registry", "/api/v1/my-data"),
        ("applications", "/api/v1/applications"),
        ("documents", "/api/v1/documents/{document_id}"),
    ],
)
async def test_swagger_ui_renders_the_operations_under_the_csp(
    browser: Browser, stack: Stack, service: str, operation: str
) -> None:
    base = getattr(stack, service).base_url
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    console: list[str] = []
    errors: list[str] = []
    hosts: set[str] = set()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            console.append(message.text)

    def on_error(error: Error) -> None:
        errors.append(str(error))

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    try:
        response = await page.goto(f"{base}/schema/swagger")
        assert response is not None
        assert response.status == 200
        assert response.headers["content-security-policy"] == CSP
        assert "unsafe-inline" not in CSP
        assert "unsafe-eval" not in CSP
        await expect(page.locator(".swagger-ui .info .title")).to_be_visible()
        path = page.locator(f'.opblock-summary-path[data-path="{operation}"]').first
        await expect(path).to_be_visible()
        # The spec (OpenAPI 3.1) was understood, not reported as unreadable.
        await expect(page.locator(".swagger-ui .errors-wrapper")).to_have_count(0)
        # An operation opens and shows its documented error body.
        await path.click()
        await expect(page.get_by_text("ErrorBody").first).to_be_visible()
        assert hosts == {urlsplit(base).netloc}, hosts
        assert not errors, errors
        assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
    finally:
        await context.close()


async def test_schema_assets_are_served_and_nothing_else(stack: Stack) -> None:
    base = stack.documents.base_url
    async with httpx.AsyncClient(base_url=base) as client:
        root = await client.get("/schema")
        assert root.status_code == 200
        assert "swagger-ui-bundle.js" in root.text
        assert "<script>" not in root.text
        assert "cdn" not in root.text.lower()
        for name, kind in [
            ("swagger-ui-bundle.js", "text/javascript"),
            ("swagger-ui.css", "text/css"),
            ("init.js", "text/javascript"),
        ]:
            asset = await client.get(f"/schema/swagger/{name}")
            assert asset.status_code == 200
            assert asset.headers["content-type"].startswith(kind)
        # The rest of the wheel (source maps, templates) is not served.
        assert (await client.get("/schema/swagger/index.j2")).status_code == 404
        assert (await client.get("/schema/swagger/swagger-ui-bundle.js.map")).status_code == 404
        document = await client.get("/schema/openapi.json")
        assert document.status_code == 200
        assert document.json()["openapi"].startswith("3.1")
