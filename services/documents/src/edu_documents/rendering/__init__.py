"""PDF rendering (ReportLab): pure functions from a content model to PDF bytes."""

from __future__ import annotations

from edu_contracts.documents import (
    HandoverActContent,
    Language,
    MyDataPrintoutContent,
    ReturnActContent,
)

from edu_documents.rendering.fonts import FontsMissing, ensure_fonts
from edu_documents.rendering.pdf import (
    RenderError,
    render_handover_act,
    render_my_data_printout,
    render_return_act,
    render_usage_rules,
)

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
