"""The TrueType font every PDF uses.

ReportLab's bundled fonts (the standard 14, Vera) have no glyphs for ā ē ī ū ģ ķ
ļ ņ, so a Latvian name would print as black boxes. DejaVu Sans covers them and is
installed by the project's own bootstrap (Debian package ``fonts-dejavu-core``).
Registration reads the font files once per process; rendering itself does no I/O.

Embedding is the costliest part of a small PDF: ReportLab cuts a subset of the
font for every document and compresses it (about a third of a handover act's
render time). Every document therefore starts its subsets with the same
characters (``REPERTOIRE``), so documents whose text stays within ASCII and the
repertoire (nearly all) get the same subset, cut and compressed once per process.
A name with a letter outside it still prints: its subset is cut for it alone.
"""

from __future__ import annotations

import functools
import os
import threading
import zlib
from pathlib import Path
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_DIR_ENV = "EDU_DOCUMENTS_FONT_DIR"

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
BOLD_OBLIQUE = "DejaVuSans-BoldOblique"
_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
    BOLD_OBLIQUE: "DejaVuSans-BoldOblique.ttf",
}

# The non-ASCII characters of Latvian names, addresses and the documents' own
# texts (ASCII is always in ReportLab's first subset). Order matters: it fixes
# the codes, and with them the subset's bytes.
REPERTOIRE = (
    "ĀāČčĒēĢģĪīĶķĻļŅņŠšŪūŽž" + "\u2013\u2014\u201e\u201c\u201d\u2019\u20ac"
)  # dashes, quotes, euro
SUBSETS_KEPT = 32  # distinct subsets remembered per process (~60 KB each)

_lock = threading.Lock()
_registered: dict[str, Path] = {}  # "dir" once registered


class FontsMissing(RuntimeError):
    """DejaVu Sans is not installed where we look for it."""


@functools.lru_cache(maxsize=SUBSETS_KEPT)
def _subset_file(face: TTFontFace, glyphs: tuple[int, ...]) -> bytes:
    return bytes(TTFontFace.makeSubset(face, list(glyphs)))


@functools.lru_cache(maxsize=SUBSETS_KEPT)
def _flated(data: bytes) -> bytes:
    # Keyed by the very bytes object _subset_file returns: its hash is cached
    # and equality is identity, so a hit costs next to nothing.
    return zlib.compress(data)


class _FlateOnce:
    """ReportLab's Flate filter for a font file from ``_subset_file``: the same
    subset is compressed once, not once per document."""

    pdfname = "FlateDecode"

    def encode(self, data: bytes) -> bytes:
        return _flated(data)


class _SubsetOnceFace(TTFontFace):  # type: ignore[misc]
    """A font face whose embedded subsets are cut and compressed once per process."""

    def makeSubset(self, subset: list[int]) -> bytes:  # ReportLab's name
        return _subset_file(self, tuple(subset))

    def addSubsetObjects(self, doc: PDFDocument, fontname: str, subset: list[int]) -> Any:
        reference = super().addSubsetObjects(doc, fontname, subset)
        if doc.compression:
            # The stream ReportLab just registered for this subset's font file.
            doc.idToObject[f"fontFile:{self.filename}({fontname})"].filters = [_FlateOnce()]
        return reference


class _Font(TTFont):  # type: ignore[misc]
    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        # Same state, two methods more: the face was parsed by TTFont already.
        self.face.__class__ = _SubsetOnceFace


def seed_subsets(doc: PDFDocument) -> None:
    """Give every face's first subset in ``doc`` the repertoire's codes before
    any text is drawn (only faces the document then uses are embedded)."""
    for face in _FILES:
        pdfmetrics.getFont(face).splitString(REPERTOIRE, doc)


def font_dir() -> Path:
    return Path(os.environ.get(FONT_DIR_ENV) or DEFAULT_FONT_DIR)


def check_font_dir(where: Path) -> None:
    missing = [name for name in _FILES.values() if not (where / name).is_file()]
    if missing:
        raise FontsMissing(
            f"DejaVu Sans font files {', '.join(missing)} not found in {where}. "
            "Install the Debian package fonts-dejavu-core (scripts/bootstrap.sh does) "
            f"or point {FONT_DIR_ENV} at a directory holding them."
        )


def ensure_fonts(directory: Path | None = None) -> Path:
    """Register DejaVu Sans (regular, bold, oblique) once; fail loudly when missing
    rather than fall back to a font that silently drops Latvian letters."""
    with _lock:
        if "dir" in _registered:
            return _registered["dir"]
        where = directory or font_dir()
        check_font_dir(where)
        for face, filename in _FILES.items():
            pdfmetrics.registerFont(_Font(face, str(where / filename)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, OBLIQUE)
        addMapping(REGULAR, 1, 1, BOLD_OBLIQUE)
        _registered["dir"] = where
        return where
