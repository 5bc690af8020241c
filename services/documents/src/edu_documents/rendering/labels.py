"""A sheet of item labels (#22): 3 by 8 labels of 70 by 37 mm on A4 (the common
self-adhesive sheet), each with the institution, the inventory number in
large type, the model, and the inventory number as a QR code or a Code 128
barcode that a scanner types into the staff pages. Pure: labels in, PDF out."""

from __future__ import annotations

import io
from collections.abc import Sequence

from edu_contracts.documents_api import ItemLabel, LabelSymbology
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from edu_documents.rendering.fonts import BOLD, REGULAR, ensure_fonts

COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37 * mm
TOP = (A4[1] - ROWS * LABEL_H) / 2  # the sheet's margins, top and bottom
PAD = 3 * mm
CODE = 25 * mm  # a QR code's side


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and stringWidth(text, font, size) > width:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


def _qr(canvas: Canvas, value: str, x: float, y: float) -> None:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(CODE, CODE, transform=[CODE / (x1 - x0), 0, 0, CODE / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _label(
    canvas: Canvas,
    label: ItemLabel,
    institution: str,
    symbology: LabelSymbology,
    x: float,
    y: float,
) -> None:
    text_x = x + PAD
    text_w = LABEL_W - 2 * PAD
    if symbology is LabelSymbology.QR:
        _qr(canvas, label.inventory_number, x + LABEL_W - PAD - CODE, y + (LABEL_H - CODE) / 2)
        text_w -= CODE + PAD
    else:
        bar = code128.Code128(label.inventory_number, barHeight=10 * mm, barWidth=0.3 * mm)
        bar_x = x + (LABEL_W - bar.width) / 2
        bar.drawOn(canvas, max(bar_x, x + PAD / 2), y + PAD)
    top = y + LABEL_H - PAD
    canvas.setFont(REGULAR, 6.5)
    canvas.drawString(text_x, top - 6.5, _fit(institution, REGULAR, 6.5, text_w))
    canvas.setFont(BOLD, 13)
    canvas.drawString(text_x, top - 22, _fit(label.inventory_number, BOLD, 13, text_w))
    canvas.setFont(REGULAR, 7.5)
    canvas.drawString(text_x, top - 33, _fit(label.model, REGULAR, 7.5, text_w))


def render_labels(
    labels: Sequence[ItemLabel], *, institution: str, symbology: LabelSymbology
) -> bytes:
    ensure_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{institution} — inventāra uzlīmes")
    per_page = COLUMNS * ROWS
    left = (A4[0] - COLUMNS * LABEL_W) / 2
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        column, row = slot % COLUMNS, slot // COLUMNS
        x = left + column * LABEL_W
        y = A4[1] - TOP - (row + 1) * LABEL_H
        _label(canvas, label, institution, symbology, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
