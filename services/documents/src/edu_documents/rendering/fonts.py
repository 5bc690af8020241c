"""The TrueType font every PDF uses.

ReportLab's bundled fonts (the standard 14, Vera) have no glyphs for ā ē ī ū ģ ķ
ļ ņ, so a Latvian name would print as black boxes. DejaVu Sans covers them and is
installed by the project's own bootstrap (Debian package ``fonts-dejavu-core``).
Registration reads the font files once per process; rendering itself does no I/O.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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

_lock = threading.Lock()
_registered: dict[str, Path] = {}  # "dir" once registered


class FontsMissing(RuntimeError):
    """DejaVu Sans is not installed where we look for it."""


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
            pdfmetrics.registerFont(TTFont(face, str(where / filename)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, OBLIQUE)
        addMapping(REGULAR, 1, 1, BOLD_OBLIQUE)
        _registered["dir"] = where
        return where
