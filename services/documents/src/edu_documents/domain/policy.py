"""Rules about render commands, decided before any work is done."""

from __future__ import annotations

from edu_contracts.documents import (
    HandoverActContent,
    RenderRequestedPayload,
    ReturnActContent,
)

from edu_documents.rendering.texts import CONDITIONS


def institution_of(payload: RenderRequestedPayload) -> str | None:
    """The institution whose staff may read the document: the command's, or the
    act's own institution when the command does not name one."""
    content = payload.content
    if isinstance(content, HandoverActContent | ReturnActContent):
        return payload.institution_id or content.institution.institution_id
    return payload.institution_id


def refusal(payload: RenderRequestedPayload) -> str | None:
    """Why this command cannot yield a document (a machine-readable reason), or None."""
    content = payload.content
    if isinstance(content, HandoverActContent | ReturnActContent):
        named = payload.institution_id
        if named is not None and named != content.institution.institution_id:
            return "institution_mismatch"
    if isinstance(content, ReturnActContent) and content.condition not in CONDITIONS:
        return "unknown_condition"
    return None
