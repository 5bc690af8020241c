"""Small flowables that draw straight on the canvas.

ReportLab's general Paragraph and Table classes parse markup and measure every
cell in several passes; for the short, regular content of an act that is most of
the rendering time. These draw plain text wrapped with ``simpleSplit`` and are
several times cheaper, which is what keeps a handover act well inside the
100 acts/s budget. Platypus still does the page flow (and the long, splitting
tables of the my-data printout keep using its Table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable


@dataclass(frozen=True)
class Font:
    """A face, size, line height and colour. ``bold`` strokes the outline of the
    regular face as well as filling it: the acts then embed one font subset, not
    two, which is a third of the rendering time."""

    name: str
    size: float
    leading: float
    color: Color
    bold: bool = False


def draw(canvas: Any, x: float, y: float, value: str, font: Font, align: str = "left") -> None:
    """Draw one line of text in ``font`` (left, centre or right aligned at x)."""
    if align != "left":
        width = canvas.stringWidth(value, font.name, font.size)
        x -= width / 2 if align == "centre" else width
    if not font.bold:
        canvas.setFont(font.name, font.size)
        canvas.setFillColor(font.color)
        canvas.drawString(x, y, value)
        return
    line = canvas.beginText(x, y)
    line.setFont(font.name, font.size)
    line.setFillColor(font.color)
    line.setStrokeColor(font.color)
    line.setTextRenderMode(2)  # fill, then stroke the outline
    canvas.saveState()
    canvas.setLineWidth(font.size * 0.022)
    canvas.setLineJoin(1)
    line.textLine(value)
    canvas.drawText(line)
    canvas.restoreState()


class Text(Flowable):  # type: ignore[misc]
    """A wrapped run of text, optionally with a bullet or number hanging left."""

    def __init__(
        self,
        text: str,
        font: Font,
        *,
        before: float = 0,
        after: float = 0,
        bullet: str | None = None,
        indent: float = 0,
    ) -> None:
        super().__init__()
        self.text = text
        self.font = font
        self.before = before
        self.after = after
        self.bullet = bullet
        self.indent = indent
        self.lines: list[str] = []

    def wrap(self, avail_width: float, _avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.lines = simpleSplit(
            self.text, self.font.name, self.font.size, avail_width - self.indent
        )
        self.height = self.before + len(self.lines) * self.font.leading + self.after
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        y = self.height - self.before - self.font.size
        if self.bullet is not None:
            draw(canvas, 0, y, self.bullet, self.font)
        for line in self.lines:
            draw(canvas, self.indent, y, line, self.font)
            y -= self.font.leading


class Facts(Flowable):  # type: ignore[misc]
    """Label / value rows; long values wrap under themselves."""

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        *,
        label_font: Font,
        value_font: Font,
        label_width: float,
        row_gap: float = 2.5,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.label_font = label_font
        self.value_font = value_font
        self.label_width = label_width
        self.row_gap = row_gap
        self.laid_out: list[tuple[list[str], list[str], float]] = []

    def wrap(self, avail_width: float, _avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        value_width = avail_width - self.label_width
        lf, vf = self.label_font, self.value_font
        self.laid_out = []
        height = 0.0
        for label, value in self.rows:
            labels = simpleSplit(label, lf.name, lf.size, self.label_width - 6)
            values = simpleSplit(value, vf.name, vf.size, value_width) or [""]
            row = max(len(labels) * lf.leading, len(values) * vf.leading)
            self.laid_out.append((labels, values, row))
            height += row + self.row_gap
        self.height = height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        lf, vf = self.label_font, self.value_font
        top = self.height
        for labels, values, row in self.laid_out:
            self._lines(canvas, labels, lf, 0, top)
            self._lines(canvas, values, vf, self.label_width, top)
            top -= row + self.row_gap

    @staticmethod
    def _lines(canvas: Any, lines: list[str], font: Font, x: float, top: float) -> None:
        y = top - font.size
        for line in lines:
            draw(canvas, x, y, line, font)
            y -= font.leading


class Block(Flowable):  # type: ignore[misc]
    """Flowables kept together on one page (a heading with its section)."""

    def __init__(self, parts: Sequence[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self.sizes: list[float] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.sizes = [part.wrap(avail_width, avail_height)[1] for part in self.parts]
        self.height = sum(self.sizes)
        return self.width, self.height

    def draw(self) -> None:
        top = self.height
        for part, size in zip(self.parts, self.sizes, strict=True):
            top -= size
            part.drawOn(self.canv, 0, top)


class Banner(Flowable):  # type: ignore[misc]
    """A filled bar with centred white text (the 'sample' warning)."""

    def __init__(self, text: str, font: Font, fill: Color, *, padding: float = 5) -> None:
        super().__init__()
        self.text = text
        self.font = font
        self.fill = fill
        self.padding = padding
        self.lines: list[str] = []

    def wrap(self, avail_width: float, _avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.lines = simpleSplit(
            self.text, self.font.name, self.font.size, avail_width - 4 * self.padding
        )
        self.height = len(self.lines) * self.font.leading + 2 * self.padding
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(self.fill)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        y = self.height - self.padding - self.font.size
        for line in self.lines:
            draw(canvas, self.width / 2, y, line, self.font, align="centre")
            y -= self.font.leading
