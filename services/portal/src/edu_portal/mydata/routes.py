"""Pages of "Mani dati izglītības reģistros"."""

from __future__ import annotations

from litestar import get
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from edu_portal.web.context import page

BASE = "/mani-dati"


@get(f"{BASE}/")
async def start() -> Template:
    return page("mydata/start.html")


ROUTES: list[ControllerRouterHandler] = [start]
