"""Languages of the pages: Latvian by default, English on request.

Texts live in gettext catalogues, ``edu_portal/locale/<lang>/LC_MESSAGES/
messages.po`` (msgids are the English source texts). They are read straight
from the ``.po`` files when the app starts: no compile step, nothing generated
to commit. ``edu portal messages`` (tools) extracts new msgids from the
templates and Python and merges them into both catalogues.

The language of a request is chosen once (``?lang=`` beats the cookie, which
beats Latvian) and kept in a context variable for the gettext callables.
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANG_COOKIE = "edu_lang"


class Lang(StrEnum):
    LV = "lv"
    EN = "en"


DEFAULT_LANG = Lang.LV
_current: ContextVar[Lang] = ContextVar("edu_portal_lang", default=DEFAULT_LANG)


def parse_lang(value: str | None) -> Lang | None:
    if not value:
        return None
    try:
        return Lang(value.strip().lower()[:2])
    except ValueError:
        return None


class Catalogues:
    """msgid → text for each language, loaded from the ``.po`` files."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self._texts: dict[Lang, dict[str, str]] = {}
        self._plurals: dict[Lang, dict[str, tuple[str, ...]]] = {}
        for lang in Lang:
            with (locale_dir / lang.value / "LC_MESSAGES" / "messages.po").open("rb") as fh:
                catalog = read_po(fh, locale=lang.value)
            singles: dict[str, str] = {}
            plurals: dict[str, tuple[str, ...]] = {}
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                if isinstance(message.id, tuple):
                    if isinstance(message.string, tuple) and all(message.string):
                        plurals[message.id[0]] = tuple(message.string)
                elif isinstance(message.string, str) and message.string:
                    singles[str(message.id)] = message.string
            self._texts[lang] = singles
            self._plurals[lang] = plurals

    def msgids(self, lang: Lang) -> set[str]:
        return set(self._texts[lang]) | set(self._plurals[lang])

    def gettext(self, message: str) -> str:
        return self._texts[_current.get()].get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        lang = _current.get()
        forms = self._plurals[lang].get(singular)
        if forms is None:
            return singular if n == 1 else plural
        return forms[_plural_index(lang, n)] if len(forms) > 1 else forms[0]


def _plural_index(lang: Lang, n: int) -> int:
    if lang is Lang.LV:
        # Latvian (CLDR, as in Babel's .po header): 0 for …0 and 11-19,
        # 1 for …1 but not 11, else 2.
        if n % 10 == 0 or 11 <= n % 100 <= 19:
            return 0
        return 1 if n % 10 == 1 else 2
    return 0 if n == 1 else 1


def current_lang() -> Lang:
    return _current.get()


def set_lang(lang: Lang) -> None:
    _current.set(lang)


_catalogues: Catalogues | None = None


def catalogues() -> Catalogues:
    global _catalogues  # noqa: PLW0603
    if _catalogues is None:
        _catalogues = Catalogues()
    return _catalogues


def gettext(message: str) -> str:
    """Translate ``message`` into the request's language (for Python code)."""
    return catalogues().gettext(message)


_ = gettext
