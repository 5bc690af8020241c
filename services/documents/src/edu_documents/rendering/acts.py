"""The handover act and the return act: one layout (``_act``) — title with
number and time, the institution, the people, the item — and each act's own
closing sections (accepted documents and the electronic confirmation; the
condition on return)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from edu_contracts.documents import (
    AcceptedDocument,
    DocumentKind,
    HandoverActContent,
    InstitutionRef,
    ItemRef,
    Language,
    PersonRef,
    ReturnActContent,
)

from edu_documents.rendering.flow import Text
from edu_documents.rendering.fonts import ensure_fonts
from edu_documents.rendering.layout import (
    NOTE,
    RenderError,
    auth_method_label,
    body_text,
    build_pdf,
    bullets,
    facts,
    format_datetime,
    institution_rows,
    item_rows,
    person_rows,
    section,
    title_block,
)
from edu_documents.rendering.texts import CONDITIONS, text


def render_handover_act(
    content: HandoverActContent, *, number: str, language: Language, sample: bool = False
) -> bytes:
    lang = language
    confirmed = content.confirmation
    closing: list[Any] = []
    if content.accepted_documents:
        closing += section(
            text(lang, "accepted"),
            [
                body_text(text(lang, "accepted.intro"), after=3),
                *bullets(_accepted_lines(content.accepted_documents, lang)),
            ],
        )
    closing += section(
        text(lang, "confirmation"),
        [
            facts(
                [
                    (
                        text(lang, "confirmation.by"),
                        f"{confirmed.confirmed_by.full_name}, "
                        f"{text(lang, 'person.code').lower()} "
                        f"{confirmed.confirmed_by.personal_code}",
                    ),
                    (text(lang, "confirmation.at"), format_datetime(confirmed.confirmed_at, lang)),
                    (
                        text(lang, "confirmation.method"),
                        auth_method_label(confirmed.auth_method, lang),
                    ),
                ],
            ),
            Text(text(lang, "confirmation.note"), NOTE, before=6),
        ],
    )
    return _act(
        DocumentKind.HANDOVER_ACT,
        number=number,
        language=lang,
        sample=sample,
        institution=content.institution,
        application_reference=content.application_reference,
        at=confirmed.confirmed_at,
        intro="handover.intro",
        people=[("recipient", content.recipient), ("learner", content.learner)],
        item_heading="item.handed_over",
        item=content.item,
        closing=closing,
    )


def render_return_act(
    content: ReturnActContent, *, number: str, language: Language, sample: bool = False
) -> bytes:
    if content.condition not in CONDITIONS:
        raise RenderError(
            "unknown_condition",
            f"Condition {content.condition!r} is not one of {', '.join(CONDITIONS)}.",
        )
    lang = language
    rows: list[tuple[str, object]] = [
        (text(lang, "return.condition_label"), text(lang, f"condition.{content.condition}"))
    ]
    if content.condition_note:
        rows.append((text(lang, "return.note"), content.condition_note))
    rows += [
        (text(lang, "return.received_by"), content.received_by),
        (text(lang, "return.returned_at"), format_datetime(content.returned_at, lang)),
    ]
    return _act(
        DocumentKind.RETURN_ACT,
        number=number,
        language=lang,
        sample=sample,
        institution=content.institution,
        application_reference=content.application_reference,
        at=content.returned_at,
        intro="return.intro",
        people=[("returned_by", content.returned_by), ("learner", content.learner)],
        item_heading="item.returned",
        item=content.item,
        closing=section(text(lang, "return.condition"), [facts(rows)]),
    )


def _act(
    kind: DocumentKind,
    *,
    number: str,
    language: Language,
    sample: bool,
    institution: InstitutionRef,
    application_reference: str | None,
    at: dt.datetime,
    intro: str,
    people: Sequence[tuple[str, PersonRef | None]],
    item_heading: str,
    item: ItemRef,
    closing: Sequence[Any],
) -> bytes:
    """The layout both acts share; ``people``: (heading key, person or None)."""
    ensure_fonts()
    lang = language
    title = text(lang, f"title.{kind}")
    lines = [format_datetime(at, lang)]
    if application_reference:  # acts of applications older than references have none
        lines.append(text(lang, "application", reference=application_reference))
    flow: list[Any] = title_block(title, text(lang, "number", number=number), lines)
    flow.append(body_text(text(lang, intro, institution=institution.name)))
    flow += section(text(lang, "institution"), [facts(institution_rows(institution, lang))])
    for heading, person in people:
        if person is not None:
            flow += section(text(lang, heading), [facts(person_rows(person, lang))])
    flow += section(text(lang, item_heading), [facts(item_rows(item, lang))])
    flow += closing
    return build_pdf(
        flow,
        language=lang,
        title=f"{title} {number}",
        subject=text(lang, f"subject.{kind}"),
        author=institution.name,
        header_left=institution.name,
        number=number,
        sample=sample,
    )


def _accepted_lines(documents: Sequence[AcceptedDocument], language: Language) -> list[str]:
    return [text(language, "accepted.item", title=d.title, version=d.version) for d in documents]
