"""Languages of the pages: Latvian by default, English on request.

Texts live in gettext catalogues, ``edu_portal/locale/<lang>/LC_MESSAGES/
messages.po`` (msgids are the English source texts). They are read straight
from the ``.po`` files into Babel ``Translations`` when the app starts (lookup
and plural forms are Babel's): no compile step, nothing generated
to commit. ``edu portal messages`` (tools) extracts new msgids from the
templates and Python and merges them into both catalogues.

The language of a request is chosen once (``?lang=`` beats the cookie, which
beats Latvian) and kept in a context variable for the gettext callables.
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

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
    """Babel ``Translations`` for each language, built from the ``.po`` files
    (in memory, no ``.mo`` on disk): lookup and plural forms are Babel's (the
    Latvian plural rule comes from the catalogue's header, CLDR's).

    ``gettext``/``ngettext`` answer in the request's language."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self._translations: dict[Lang, Translations] = {}
        self._msgids: dict[Lang, set[str]] = {}
        for lang in Lang:
            with (locale_dir / lang.value / "LC_MESSAGES" / "messages.po").open("rb") as fh:
                catalog = read_po(fh, locale=lang.value)
            self._msgids[lang] = _translated_msgids(catalog)
            self._translations[lang] = _translations(catalog)

    def translations(self, lang: Lang | None = None) -> Translations:
        """Babel's translations for ``lang`` (default: the request's language)."""
        return self._translations[lang or _current.get()]

    def msgids(self, lang: Lang) -> set[str]:
        """The msgids (a plural by its singular) translated in ``lang``'s catalogue."""
        return set(self._msgids[lang])

    def gettext(self, message: str) -> str:
        return self.translations().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations().ngettext(singular, plural, n)


def _complete(message: Message) -> bool:
    if not message.id or message.fuzzy:
        return False
    if isinstance(message.string, tuple | list):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def _translated_msgids(catalog: Catalog) -> set[str]:
    return {
        str(m.id[0] if isinstance(m.id, tuple | list) else m.id) for m in catalog if _complete(m)
    }


def _translations(catalog: Catalog) -> Translations:
    """Babel ``Translations`` of a catalogue (which loses its incomplete
    messages): untranslated, fuzzy or partly translated plural messages are
    left out, so they fall back to the English msgid. Plural forms follow the
    catalogue header's ``Plural-Forms`` (as Babel writes it for ``lv``)."""
    for message in list(catalog):
        if message.id and not _complete(message):
            del catalog[message.id]
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(fp=mo, domain="messages")


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


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form for ``n`` in the request's language (Latvian has three)."""
    return catalogues().ngettext(singular, plural, n)


_ = gettext
