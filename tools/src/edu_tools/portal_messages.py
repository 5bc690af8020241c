"""``edu portal messages``: keep the portal's message catalogues complete.

Extracts every translatable text from ``edu_portal`` (``_()``/``gettext`` in
Python, ``{{ _("…") }}`` and ``{% trans %}`` in the Jinja templates) and merges
them into ``locale/{lv,en}/LC_MESSAGES/messages.po``: texts no longer used are
dropped, new ones are added (English: the msgid itself; Latvian: empty, to be
translated, and the portal's tests fail until it is). Translations already
there are kept.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

METHOD_MAP = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def package_dir() -> Path:
    import edu_portal

    return Path(edu_portal.__file__).resolve().parent


def extract(package: Path) -> Catalog:
    template = Catalog(project="edu-portal")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), METHOD_MAP, OPTIONS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update(package: Path | None = None) -> dict[str, list[str]]:
    """Merge the extracted texts into both catalogues; returns the Latvian
    msgids still without a translation."""
    package = package or package_dir()
    template = extract(package)
    missing: dict[str, list[str]] = {}
    for lang in ("lv", "en"):
        path = package / "locale" / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if not message.id:
                continue
            message.locations = []
            if lang == "en" and not message.string:
                message.string = message.id
            if lang == "lv" and not message.string:
                missing.setdefault(lang, []).append(str(message.id))
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    return missing
