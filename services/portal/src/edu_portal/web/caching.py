"""``Cache-Control: no-store`` on every answer of the portal except its static
files: a page or file can carry a person's data (my data, applications, the
staff pages, downloaded documents), and after sign-out on a shared computer
Back must not show it from the browser's cache (issue #19). The pages are
cheap to render; static files keep their own caching."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = "no-store"


class NoStoreMiddleware:
    def __init__(self, app: ASGIApp, exclude_prefixes: tuple[str, ...] = ("/static/",)) -> None:
        self.app = app
        self.exclude = exclude_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(self.exclude):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if "no-store" not in (headers.get("cache-control") or ""):
                    headers["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_no_store)
