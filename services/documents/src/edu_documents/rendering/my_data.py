"""The "My data" printout: exactly the blocks the citizen saw, in the
e-service's order, with the seeds' message when there is no data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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
        flow += _table(
            lang,
            "institutions",
            blocks.institutions,
            [
                ("col.institution", 50, lambda e: e.institution_name),
                (
                    "col.programme",
                    56,
                    lambda e: " ".join(p for p in (e.programme_code, e.programme_name) if p) or "—",
                ),
                ("col.class_group", 22, lambda e: e.class_group or "—"),
                ("col.from", 21, lambda e: format_date(e.enrolled_from)),
                ("col.to", 21, lambda e: format_date(e.enrolled_to)),
            ],
        )
    if blocks.documents:
        flow += _table(
            lang,
            "documents",
            blocks.documents,
            [
                ("col.document_type", 33, lambda d: d.document_type),
                ("col.series_and_number", 25, lambda d: d.series_and_number),
                ("col.issue_date", 21, lambda d: format_date(d.issue_date)),
                ("col.institution", 45, lambda d: d.institution_name),
                (
                    "col.qualification",
                    46,
                    lambda d: (
                        " / ".join(p for p in (d.programme_name, d.qualification) if p) or "—"
                    ),
                ),
            ],
        )
    if blocks.scholarships:
        flow += _table(
            lang,
            "scholarships",
            blocks.scholarships,
            [
                ("col.institution", 52, lambda g: g.institution_name),
                ("col.scholarship_type", 48, lambda g: g.scholarship_type),
                ("col.amount", 24, lambda g: format_amount(g.amount_eur, lang)),
                ("col.from", 23, lambda g: format_date(g.period_from)),
                ("col.to", 23, lambda g: format_date(g.period_to)),
            ],
        )
    if blocks.preschool_queue:
        flow += _table(
            lang,
            "preschool_queue",
            blocks.preschool_queue,
            [
                ("col.institution", 72, lambda q: q.institution_name),
                ("col.registered_on", 32, lambda q: format_date(q.registered_on)),
                ("col.desired_start", 38, lambda q: format_date(q.desired_start_date)),
                ("col.position", 28, lambda q: str(q.position)),
            ],
        )
    return flow


E = TypeVar("E")
# A column of a block's table: its header's text key, its width (of 170 mm) and its cell.
Column = tuple[str, float, Callable[[E], object]]


def _table(lang: Language, block: str, entries: Sequence[E], columns: list[Column[E]]) -> list[Any]:
    """One block as a table with a heading, a column a field of its entries."""
    header = [text(lang, key) for key, _, _ in columns]
    rows = [[cell(entry) for _, _, cell in columns] for entry in entries]
    widths = [width for _, width, _ in columns]
    return table_section(text(lang, f"block.{block}"), grid(header, rows, widths))
