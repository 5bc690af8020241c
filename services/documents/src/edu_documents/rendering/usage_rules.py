"""The terms of use a recipient confirms on receipt (a step-5 document)."""

from __future__ import annotations

from typing import Any

from edu_contracts.documents import Language
from reportlab.lib.units import mm

from edu_documents.rendering.flow import Text
from edu_documents.rendering.fonts import ensure_fonts
from edu_documents.rendering.layout import NOTE, build_pdf, bullets, title_block
from edu_documents.rendering.texts import USAGE_RULE_KEYS, text


def render_usage_rules(*, version: str, language: Language, sample: bool = True) -> bytes:
    """The terms of use a recipient confirms on receipt (a step-5 document)."""
    ensure_fonts()
    lang = language
    title = text(lang, "title.usage_rules")
    number = f"LN-{version}"
    flow: list[Any] = title_block(title, text(lang, "usage_rules.version", version=version), [])
    flow += bullets([text(lang, key) for key in USAGE_RULE_KEYS], numbered=True)
    flow.append(Text(text(lang, "usage_rules.confirm"), NOTE, before=6 * mm))
    return build_pdf(
        flow,
        language=lang,
        title=title,
        subject=text(lang, "subject.usage_rules"),
        author=text(lang, "system"),
        header_left=text(lang, "system"),
        number=number,
        sample=sample,
    )
