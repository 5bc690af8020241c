"""PDF rendering (ReportLab): pure functions from a content model to PDF bytes.
``layout.py`` is what every document shares; ``acts.py`` (handover and return),
``my_data.py`` and ``usage_rules.py`` are the documents."""

from __future__ import annotations

from edu_contracts.documents import (
    HandoverActContent,
    Language,
    MyDataPrintoutContent,
    ReturnActContent,
)

from edu_documents.rendering.acts import render_handover_act, render_return_act
from edu_documents.rendering.fonts import FontsMissing, ensure_fonts
from edu_documents.rendering.layout import RenderError
from edu_documents.rendering.my_data import render_my_data_printout
from edu_documents.rendering.usage_rules import render_usage_rules

__all__ = [
    "FontsMissing",
    "RenderError",
    "ensure_fonts",
    "render_content",
    "render_usage_rules",
]


def render_content(
    content: HandoverActContent | ReturnActContent | MyDataPrintoutContent,
    *,
    number: str,
    language: Language,
    sample: bool = False,
) -> bytes:
    """Render any document kind; raises RenderError for content that cannot be rendered."""
    if isinstance(content, HandoverActContent):
        return render_handover_act(content, number=number, language=language, sample=sample)
    if isinstance(content, ReturnActContent):
        return render_return_act(content, number=number, language=language, sample=sample)
    return render_my_data_printout(content, number=number, language=language, sample=sample)
