"""The Jinja environment of the pages: templates under ``edu_portal/templates``
(one folder per page module), gettext from the catalogues (Babel
``Translations``), dates, times and money through Babel in Riga's time zone,
autoescaping on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from edu_runtime.riga import RIGA
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from edu_portal.web.i18n import Lang, current_lang, gettext, ngettext

STATIC_VERSION = "2"  # bump when a static file changes (they are cached for a day)


# The patterns of the pages (CLDR's, for Babel): Latvians write 31.12.2026.,
# English readers 31 Dec 2026; times are 24-hour in both. Month names and
# number symbols are Babel's locale data.
DATE_PATTERNS = {Lang.LV: "dd.MM.y.", Lang.EN: "d MMM y"}
TIME_PATTERN = "HH:mm"
MONEY_PATTERN = "#,##0.00\u00a0¤¤"  # 1 234,50 EUR / 1,234.50 EUR


def _instant(value: dt.datetime) -> dt.datetime:
    """An aware instant; a naive one (never sent by the services) is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _date(value: dt.date | dt.datetime | str | None) -> str:
    """Dates as Latvians write them (31.12.2026.) or, in English, 31 Dec 2026.
    An instant is shown as its date in Riga (Europe/Riga: UTC+2 in winter,
    UTC+3 in summer), the day the staff exports write."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    lang = current_lang()
    if isinstance(value, dt.datetime):
        return format_datetime(_instant(value), DATE_PATTERNS[lang], tzinfo=RIGA, locale=lang.value)
    return format_date(value, DATE_PATTERNS[lang], locale=lang.value)


def _datetime(value: dt.datetime | str | None) -> str:
    """Date and time in Riga: 15.07.2026. 00:30 / 15 Jul 2026 00:30."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    lang = current_lang()
    return format_datetime(
        _instant(value), f"{DATE_PATTERNS[lang]} {TIME_PATTERN}", tzinfo=RIGA, locale=lang.value
    )


def _money(value: Decimal | float | str | None) -> str:
    """Euros with the language's separators: 1 234,50 EUR / 1,234.50 EUR."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    return format_currency(
        amount, "EUR", MONEY_PATTERN, locale=current_lang().value, currency_digits=False
    )


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
    # Jinja's i18n extension over Babel's Translations: {{ _() }}, {% trans %}
    # and ngettext in the request's language (the callables read it per call).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True
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
