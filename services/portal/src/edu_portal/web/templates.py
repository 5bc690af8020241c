"""The Jinja environment of the pages: templates under ``edu_portal/templates``
(one folder per page module), gettext from the catalogues, autoescaping on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from edu_runtime.riga import RIGA, riga_date
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from edu_portal.web.i18n import Lang, catalogues, current_lang

STATIC_VERSION = "2"  # bump when a static file changes (they are cached for a day)


def _date(value: dt.date | dt.datetime | str | None) -> str:
    """Dates as Latvians write them (31.12.2026.) or, in English, 31 Dec 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        # Riga's date (UTC+2 in winter, UTC+3 in summer), as the exports write it.
        value = riga_date(value)
    if current_lang() is Lang.LV:
        return f"{value.day:02d}.{value.month:02d}.{value.year}."
    return value.strftime("%-d %b %Y")


def _datetime(value: dt.datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = value.astimezone(RIGA)
    return f"{_date(local.date())} {local:%H:%M}"


def _money(value: Decimal | float | str | None) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}"
    if current_lang() is Lang.LV:
        text = text.replace(",", " ").replace(".", ",")
    return f"{text} EUR"


def _with_query(path: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v is not None}
    return f"{path}?{urlencode(kept)}" if kept else path


def build_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("edu_portal", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        # Templates ship with the package: no stat() of each one on every page.
        auto_reload=False,
        lstrip_blocks=True,
    )
    texts = catalogues()
    env.install_gettext_callables(  # type: ignore[attr-defined]
        texts.gettext, texts.ngettext, newstyle=True
    )
    env.globals.update(
        current_lang=current_lang,
        static_version=STATIC_VERSION,
        with_query=_with_query,
        page_path=page_path,
    )
    env.filters.update(date=_date, datetime=_datetime, money=_money)
    return env


def page_path(request: Request[Any, Any, Any]) -> str:
    """The page's own path for its links (the language switch), taken only from
    a matched route: an unrouted request (a 404, say ``//evil.example/x``)
    links to the start page, never to a path the visitor typed."""
    # Litestar's scope type declares the key, but routing sets it only on a match.
    scope: Mapping[str, Any] = request.scope
    if "path_template" not in scope:
        return "/"
    path = request.url.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment()))
