"""Lookup and plural forms are Babel's ``Translations`` over the ``.po`` files
(issue #20): Latvian's three plural forms by the catalogue's own rule, a
fuzzy or untranslated text falls back to English, and Jinja's ``ngettext``
and ``{% trans %}`` answer in the request's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from babel.support import Translations
from edu_portal.web import i18n
from edu_portal.web.i18n import Catalogues, Lang, set_lang
from edu_portal.web.templates import build_environment

ONE, MANY = "%(num)s application", "%(num)s applications"
# Babel's Latvian rule (the .po header): 0 for …1 but not …11, 1 for the rest
# but zero, 2 for zero.
LATVIAN = ("%(num)s iesniegums", "%(num)s iesniegumi", "%(num)s iesniegumu")


@pytest.fixture
def locale_dir(tmp_path: Path) -> Path:
    for lang in Lang:
        catalog = Catalog(locale=lang.value)
        latvian = lang is Lang.LV
        catalog.add("Save as PDF", "Saglabāt kā PDF" if latvian else "Save as PDF")
        catalog.add((ONE, MANY), LATVIAN if latvian else (ONE, MANY))
        catalog.add("Half done", "Pa pusei" if latvian else "", flags=["fuzzy"])
        catalog.add("Not yet", "")
        folder = tmp_path / lang.value / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.po").open("wb") as fh:
            write_po(fh, catalog)
    return tmp_path


@pytest.fixture(autouse=True)
def latvian_afterwards() -> Iterator[None]:
    yield
    set_lang(Lang.LV)


def test_lookup_and_fallback(locale_dir: Path) -> None:
    texts = Catalogues(locale_dir)
    assert isinstance(texts.translations(Lang.LV), Translations)
    set_lang(Lang.LV)
    assert texts.gettext("Save as PDF") == "Saglabāt kā PDF"
    assert texts.gettext("Half done") == "Half done"  # fuzzy: not trusted
    assert texts.gettext("Not yet") == "Not yet"
    assert texts.gettext("Never heard of") == "Never heard of"
    assert texts.msgids(Lang.LV) == {"Save as PDF", ONE}
    set_lang(Lang.EN)
    assert texts.gettext("Save as PDF") == "Save as PDF"


@pytest.mark.parametrize(
    ("n", "form"), [(1, 0), (21, 0), (2, 1), (11, 1), (10, 1), (111, 1), (0, 2)]
)
def test_latvian_plurals(locale_dir: Path, n: int, form: int) -> None:
    texts = Catalogues(locale_dir)
    set_lang(Lang.LV)
    assert texts.ngettext(ONE, MANY, n) == LATVIAN[form]
    set_lang(Lang.EN)
    assert texts.ngettext(ONE, MANY, n) == (ONE if n == 1 else MANY)


def test_jinja_plurals_and_trans_in_the_request_language(
    locale_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "_catalogues", Catalogues(locale_dir))
    env = build_environment()
    template = env.from_string(
        '{{ ngettext("%(num)s application", "%(num)s applications", n) }}'
        " · {% trans %}Save as PDF{% endtrans %}"
    )
    set_lang(Lang.LV)
    assert template.render(n=21) == "21 iesniegums · Saglabāt kā PDF"
    assert template.render(n=5) == "5 iesniegumi · Saglabāt kā PDF"
    set_lang(Lang.EN)
    assert template.render(n=1) == "1 application · Save as PDF"
