"""Step-5 previews: rendered on first request, then kept in memory. They hold
no personal data (fictitious sample content) and depend only on code, version
and language, so every replica renders the same bytes."""

from __future__ import annotations

import asyncio

from edu_contracts.documents import Language

from edu_documents.domain.receipt import (
    HANDOVER_ACT,
    ReceiptDocumentSpec,
    sample_handover_act,
)
from edu_documents.rendering import render_content, render_usage_rules
from edu_documents.rendering.texts import text
from edu_documents.service import DocumentService


def render_preview(spec: ReceiptDocumentSpec, language: Language) -> bytes:
    if spec.code == HANDOVER_ACT:
        return render_content(
            sample_handover_act(language),
            number=text(language, "sample_mark"),
            language=language,
            sample=True,
        )
    return render_usage_rules(version=spec.version, language=language, sample=True)


class Previews:
    def __init__(self, service: DocumentService) -> None:
        self._service = service
        self._cache: dict[tuple[str, str, Language], bytes] = {}
        self._lock = asyncio.Lock()

    async def get(self, spec: ReceiptDocumentSpec, language: Language) -> bytes:
        key = (spec.code, spec.version, language)
        async with self._lock:
            if key not in self._cache:
                self._cache[key] = await self._service.in_renderer(
                    lambda: render_preview(spec, language)
                )
            return self._cache[key]
