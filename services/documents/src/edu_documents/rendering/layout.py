"""The layout every document shares: styles, formatting, building blocks
(facts, tables, sections), page furniture (header, footer, sample watermark)
and ``build_pdf``. The documents themselves are in ``acts.py``, ``my_data.py``
and ``usage_rules.py``.

Pure functions apart from the one-off font registration (``fonts.ensure_fonts``):
no clock, no randomness, no storage. ReportLab runs in *invariant* mode (fixed
creation date and document id), so the same content, number and language give
byte-identical PDFs and the SHA-256 recorded beside a document identifies it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from edu_contracts.documents import (
    InstitutionRef,
    ItemRef,
    Language,
    PersonRef,
)
from edu_runtime.riga import RIGA
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from edu_documents.rendering.flow import Banner, Block, Facts, Font, Text, draw
from edu_documents.rendering.fonts import BOLD, REGULAR, ensure_fonts, seed_subsets
from edu_documents.rendering.texts import text

# Binary (Flate only) streams: ASCII85 armour makes every PDF a quarter larger and
# costs time, and nothing on the way (MongoDB, HTTP) needs 7-bit-clean files.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = 55 * mm

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5c5c5c")
RULE = colors.HexColor("#9e9e9e")
SHADE = colors.HexColor("#eef1f4")
ACCENT = colors.HexColor("#7a1f2b")  # Latvian carmine, used sparingly
SAMPLE_INK = colors.Color(0.75, 0.1, 0.1, alpha=0.12)

CREATOR = "edu-documents (ReportLab)"


class RenderError(ValueError):
    """The content cannot be turned into a document; ``reason`` is machine-readable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- styles -----------------------------------------------------------------


TITLE = Font(REGULAR, 17, 21, INK, bold=True)
SUBTITLE = Font(REGULAR, 10.5, 14, MUTED)
HEADING = Font(REGULAR, 11.5, 15, ACCENT, bold=True)
BODY = Font(REGULAR, 10, 13.5, INK)
LABEL = Font(REGULAR, 10, 13.5, MUTED)
NOTE = Font(REGULAR, 8.5, 11.5, MUTED)
BANNER = Font(REGULAR, 10, 13, colors.white, bold=True)
HEADER = Font(REGULAR, 8, 10, MUTED)
HEADER_NUMBER = Font(REGULAR, 8, 10, MUTED, bold=True)
FOOTER = Font(REGULAR, 7.5, 10, MUTED)
WATERMARK = Font(REGULAR, 80, 80, SAMPLE_INK)  # fill only: stroke ignores alpha


@dataclass(frozen=True)
class _CellStyles:
    """Paragraph styles of the my-data tables (the one place Paragraph stays:
    those tables split across pages and their cells wrap)."""

    cell: ParagraphStyle
    head: ParagraphStyle


def _cell_styles() -> _CellStyles:
    ensure_fonts()  # paragraphs resolve their font when built, so register first
    base = ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=11, textColor=INK)
    return _CellStyles(cell=base, head=ParagraphStyle("head", parent=base, fontName=BOLD))


# --- formatting -------------------------------------------------------------


def _p(value: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(value)), style)


def format_datetime(value: dt.datetime, language: Language) -> str:
    local = value.astimezone(RIGA)
    return f"{local:%d.%m.%Y %H:%M} {text(language, 'time_zone')}"


def format_date(value: dt.date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else "—"


def format_amount(value: Decimal, language: Language) -> str:
    formatted = f"{value:,.2f}"
    if language is Language.LV:  # 1 234,50
        formatted = formatted.replace(",", " ").replace(".", ",")
    return formatted


def auth_method_label(method: str, language: Language) -> str:
    key = f"auth.{method.lower()}"
    return text(language, key) if key in _known_keys(language) else method


def _known_keys(language: Language) -> set[str]:
    from edu_documents.rendering.texts import TEXTS

    return set(TEXTS[language])


# --- building blocks --------------------------------------------------------


def facts(rows: Iterable[tuple[str, object]]) -> Facts:
    return Facts(
        [(label, str(value)) for label, value in rows],
        label_font=LABEL,
        value_font=BODY,
        label_width=LABEL_WIDTH,
    )


def grid(header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> Table:
    """A ruled table with a shaded header row that repeats on every page."""
    total = sum(widths)
    col_widths = [CONTENT_WIDTH * w / total for w in widths]  # widths in mm of 170
    s = _cell_styles()
    data = [[_p(h, s.head) for h in header]]
    data += [[_p(v, s.cell) for v in row] for row in rows]
    table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _heading(heading: str) -> Text:
    return Text(heading, HEADING, before=10, after=4)


def section(heading: str, body: Sequence[Any]) -> list[Any]:
    """A heading and its (short) section, never split across pages."""
    return [Block([_heading(heading), *body])]


def table_section(heading: str, table: Table) -> list[Any]:
    # Long tables split across pages (the header row repeats); the heading only
    # needs room for itself and the first rows.
    return [CondPageBreak(35 * mm), _heading(heading), table]


def body_text(value: str, *, before: float = 0, after: float = 0) -> Text:
    return Text(value, BODY, before=before, after=after)


def bullets(items: Sequence[str], *, numbered: bool = False) -> list[Text]:
    return [
        Text(item, BODY, bullet=f"{n}." if numbered else "•", indent=14, after=2)
        for n, item in enumerate(items, start=1)
    ]


def person_rows(person: PersonRef, language: Language) -> list[tuple[str, object]]:
    return [
        (text(language, "person.name"), person.full_name),
        (text(language, "person.code"), person.personal_code),
    ]


def institution_rows(institution: InstitutionRef, language: Language) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [(text(language, "institution.name"), institution.name)]
    if institution.registration_number:
        rows.append(
            (text(language, "institution.registration_number"), institution.registration_number)
        )
    if institution.address:
        rows.append((text(language, "institution.address"), institution.address))
    return rows


def item_rows(item: ItemRef, language: Language) -> list[tuple[str, object]]:
    return [
        (text(language, "item.resource_type"), item.resource_label),
        (text(language, "item.model"), item.model),
        (text(language, "item.inventory_number"), item.inventory_number),
        (text(language, "item.serial_number"), item.serial_number),
    ]


def title_block(title: str, number: str, lines: Sequence[str]) -> list[Any]:
    flow: list[Any] = [Text(title, TITLE, after=2), Text(number, SUBTITLE)]
    flow += [Text(line, SUBTITLE) for line in lines]
    flow.append(Spacer(1, 4 * mm))
    return flow


# --- page furniture -----------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    """What is drawn on every page: header with the number, footer with
    'Lapa X no Y', and the sample watermark for previews."""

    language: Language
    header_left: str
    number: str
    sample: bool

    def decorate(self, canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        if self.sample:
            canvas.saveState()
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(50)
            draw(canvas, 0, -28, text(self.language, "sample_mark"), WATERMARK, align="centre")
            canvas.restoreState()
        top = PAGE_HEIGHT - 12 * mm
        draw(canvas, MARGIN, top, self.header_left, HEADER)
        number = text(self.language, "number", number=self.number)
        draw(canvas, PAGE_WIDTH - MARGIN, top, number, HEADER_NUMBER, align="right")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, top - 2.5 * mm, PAGE_WIDTH - MARGIN, top - 2.5 * mm)
        canvas.restoreState()

    def footer(self, canvas: Any, page: int, pages: int) -> None:
        canvas.saveState()
        bottom = 12 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, bottom + 4 * mm, PAGE_WIDTH - MARGIN, bottom + 4 * mm)
        draw(canvas, MARGIN, bottom, text(self.language, "verify_note"), FOOTER)
        label = text(self.language, "page", page=page, pages=pages)
        draw(canvas, PAGE_WIDTH - MARGIN, bottom, label, HEADER_NUMBER, align="right")
        canvas.restoreState()


def _numbered_canvas(page: _Page) -> Callable[..., Any]:
    """A canvas that holds pages back until the end so each footer can say
    'page X of Y' (ReportLab only learns Y after laying out the last page)."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []
            seed_subsets(self._doc)

        def showPage(self) -> None:  # ReportLab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                page.footer(self, self._pageNumber, pages)
                super().showPage()
            super().save()

    return NumberedCanvas


# What every document shares: the A4 page, its margins, the producer, and
# reproducible output (the same content gives the same bytes).
_PAGE_SETUP: dict[str, Any] = {
    "pagesize": A4,
    "leftMargin": MARGIN,
    "rightMargin": MARGIN,
    "topMargin": 22 * mm,
    "bottomMargin": 22 * mm,
    "creator": CREATOR,
    "producer": CREATOR,
    "invariant": 1,
    # Not Helvetica: nothing on the page may refer to a font without Latvian glyphs.
    "initialFontName": REGULAR,
    "initialFontSize": 10,
}


def build_pdf(
    flow: list[Any],
    *,
    language: Language,
    title: str,
    subject: str,
    author: str,
    header_left: str,
    number: str,
    sample: bool,
) -> bytes:
    ensure_fonts()
    page = _Page(language=language, header_left=header_left, number=number, sample=sample)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        **_PAGE_SETUP,
        title=title,
        author=author,
        subject=subject,
        keywords=number,
        lang=language.value,
    )
    if sample:
        flow = [_sample_banner(language), Spacer(1, 4 * mm), *flow]
    doc.build(
        flow,
        onFirstPage=page.decorate,
        onLaterPages=page.decorate,
        canvasmaker=_numbered_canvas(page),
    )
    return buffer.getvalue()


def _sample_banner(language: Language) -> Banner:
    return Banner(text(language, "sample_banner"), BANNER, colors.HexColor("#b3261e"))
