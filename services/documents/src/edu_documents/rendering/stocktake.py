"""A stocktake's report (#22): who counted and when, the counts, the items
not seen (what the school has to look for), then the items seen."""

from __future__ import annotations

from typing import Any

from edu_contracts.documents import Language
from edu_contracts.documents_api import StocktakeReport

from edu_documents.rendering.layout import (
    body_text,
    build_pdf,
    facts,
    format_datetime,
    grid,
    table_section,
    title_block,
)
from edu_documents.rendering.texts import text


def render_stocktake_report(report: StocktakeReport, *, language: Language) -> bytes:
    lang = language
    missing = [i for i in report.items if i.seen_at is None]
    seen = [i for i in report.items if i.seen_at is not None]
    finished = (
        f"{format_datetime(report.finished_at, lang)}, {report.finished_by or ''}".rstrip(", ")
        if report.finished_at
        else text(lang, "stocktake.not_finished")
    )
    flow: list[Any] = title_block(
        text(lang, "title.stocktake"), report.institution_name, [text(lang, "subject.stocktake")]
    )
    flow.append(
        facts(
            [
                (
                    text(lang, "stocktake.started"),
                    f"{format_datetime(report.started_at, lang)}, {report.started_by}",
                ),
                (text(lang, "stocktake.finished"), finished),
            ]
        )
    )
    flow.append(
        body_text(
            text(
                lang,
                "stocktake.counts",
                expected=len(report.items),
                seen=len(seen),
                missing=len(missing),
            ),
            before=6,
            after=4,
        )
    )
    head = [text(lang, f"stocktake.{k}") for k in ("inventory", "serial", "model")]
    if missing:
        rows = [(i.inventory_number, i.serial_number, i.model) for i in missing]
        flow += table_section(text(lang, "stocktake.missing"), grid(head, rows, (40, 50, 80)))
    else:
        flow.append(body_text(text(lang, "stocktake.none_missing"), before=6))
    if seen:
        rows_seen = [
            (
                i.inventory_number,
                i.serial_number,
                i.model,
                format_datetime(i.seen_at, lang) if i.seen_at else "",
                i.seen_by or "",
            )
            for i in seen
        ]
        flow += table_section(
            text(lang, "stocktake.seen"),
            grid(
                [*head, text(lang, "stocktake.seen_at"), text(lang, "stocktake.seen_by")],
                rows_seen,
                (30, 35, 45, 30, 30),
            ),
        )
    return build_pdf(
        flow,
        language=lang,
        title=text(lang, "title.stocktake"),
        subject=text(lang, "subject.stocktake"),
        author=report.institution_name,
        header_left=report.institution_name,
        number=format_datetime(report.started_at, lang),
        sample=False,
    )
