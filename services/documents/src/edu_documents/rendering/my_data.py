"""The "My data" printout: exactly the blocks the citizen saw, in the
e-service's order, with the seeds' message when there is no data."""

from __future__ import annotations

from typing import Any

from edu_contracts.documents import DocumentKind, Language, MyDataPrintoutContent
from edu_contracts.my_data import MyDataBlocks
from reportlab.lib.units import mm

from edu_documents.rendering.flow import Text
from edu_documents.rendering.fonts import ensure_fonts
from edu_documents.rendering.layout import (
    HEADING,
    build_pdf,
    facts,
    format_amount,
    format_date,
    format_datetime,
    grid,
    section,
    table_section,
    title_block,
)
from edu_documents.rendering.texts import text


def render_my_data_printout(
    content: MyDataPrintoutContent, *, number: str, language: Language, sample: bool = False
) -> bytes:
    ensure_fonts()
    lang = language
    kind = DocumentKind.MY_DATA_PRINTOUT
    title = text(lang, f"title.{kind}")
    flow: list[Any] = title_block(
        title, text(lang, "number", number=number), [text(lang, f"subject.{kind}")]
    )
    flow.append(
        facts(
            [
                (text(lang, "mydata.extracted_at"), format_datetime(content.extracted_at, lang)),
                (
                    text(lang, "mydata.subject"),
                    f"{content.subject.full_name}, {content.subject.personal_code}",
                ),
                (text(lang, "mydata.basis"), text(lang, f"basis.{content.basis}")),
            ],
        )
    )
    blocks = _my_data_blocks(content.blocks, lang)
    if blocks:
        flow += blocks
    else:
        # The seeds' own message; a caller-supplied one wins only in Latvian,
        # where it is the same text the citizen saw on screen.
        message = content.message if content.message and lang is Language.LV else None
        flow.append(Text(message or text(lang, "mydata.no_data"), HEADING, before=8 * mm))
    return build_pdf(
        flow,
        language=lang,
        title=f"{title} {number}",
        subject=text(lang, f"subject.{kind}"),
        author=text(lang, "system"),
        header_left=text(lang, "system"),
        number=number,
        sample=sample,
    )


def _my_data_blocks(blocks: MyDataBlocks, lang: Language) -> list[Any]:
    """Only the blocks that came back, in the e-service's order."""
    flow: list[Any] = []
    if blocks.person is not None:
        person = blocks.person
        flow += section(
            text(lang, "block.person"),
            [
                facts(
                    [
                        (text(lang, "person.given_name"), person.given_name),
                        (text(lang, "person.family_name"), person.family_name),
                        (text(lang, "person.code"), person.personal_code),
                        (text(lang, "person.birth_date"), format_date(person.birth_date)),
                    ],
                )
            ],
        )
    if blocks.institutions:
        rows = [
            [
                e.institution_name,
                " ".join(p for p in (e.programme_code, e.programme_name) if p) or "—",
                e.class_group or "—",
                format_date(e.enrolled_from),
                format_date(e.enrolled_to),
            ]
            for e in blocks.institutions
        ]
        header = [text(lang, k) for k in ("col.institution", "col.programme", "col.class_group")]
        header += [text(lang, "col.from"), text(lang, "col.to")]
        flow += table_section(
            text(lang, "block.institutions"), grid(header, rows, [50, 56, 22, 21, 21])
        )
    if blocks.documents:
        rows = [
            [
                d.document_type,
                d.series_and_number,
                format_date(d.issue_date),
                d.institution_name,
                " / ".join(p for p in (d.programme_name, d.qualification) if p) or "—",
            ]
            for d in blocks.documents
        ]
        header = [
            text(lang, k)
            for k in (
                "col.document_type",
                "col.series_and_number",
                "col.issue_date",
                "col.institution",
                "col.qualification",
            )
        ]
        flow += table_section(
            text(lang, "block.documents"), grid(header, rows, [33, 25, 21, 45, 46])
        )
    if blocks.scholarships:
        rows = [
            [
                g.institution_name,
                g.scholarship_type,
                format_amount(g.amount_eur, lang),
                format_date(g.period_from),
                format_date(g.period_to),
            ]
            for g in blocks.scholarships
        ]
        header = [
            text(lang, k)
            for k in ("col.institution", "col.scholarship_type", "col.amount", "col.from", "col.to")
        ]
        flow += table_section(
            text(lang, "block.scholarships"), grid(header, rows, [52, 48, 24, 23, 23])
        )
    if blocks.preschool_queue:
        rows = [
            [
                q.institution_name,
                format_date(q.registered_on),
                format_date(q.desired_start_date),
                str(q.position),
            ]
            for q in blocks.preschool_queue
        ]
        header = [
            text(lang, k)
            for k in ("col.institution", "col.registered_on", "col.desired_start", "col.position")
        ]
        flow += table_section(
            text(lang, "block.preschool_queue"), grid(header, rows, [72, 32, 38, 28])
        )
    return flow
