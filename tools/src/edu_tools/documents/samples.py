"""Fictitious content of every document kind, for the benchmark, the PNG
samples in docs/samples and the tests. Every Latvian diacritic appears in a name.

``python -m edu_tools.documents.samples docs/samples`` renders page 1 of each kind to PNG.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from edu_contracts.documents import (
    HandoverActContent,
    Language,
    MyDataPrintoutContent,
    ReturnActContent,
)
from edu_contracts.my_data import (
    EducationDocumentEntry,
    InstitutionEntry,
    MyDataBlocks,
    PersonBlock,
    PreschoolQueueEntry,
    RepresentationBasis,
    ScholarshipEntry,
)
from edu_documents.domain.receipt import (
    SAMPLE_INSTITUTION,
    SAMPLE_ITEM,
    SAMPLE_LEARNER,
    SAMPLE_PARENT,
    sample_handover_act,
)

__all__ = ["handover_act", "my_data_printout", "no_data_printout", "return_act"]

SCHOOL = SAMPLE_INSTITUTION.name


def return_act() -> ReturnActContent:
    return ReturnActContent(
        institution=SAMPLE_INSTITUTION,
        returned_by=SAMPLE_PARENT,
        learner=SAMPLE_LEARNER,
        item=SAMPLE_ITEM,
        condition="damaged",
        condition_note="Ekrāna stūrī plaisa; lādētājs atdots.",
        received_by="Dzintra Ozoliņa",
        returned_at=dt.datetime(2027, 6, 15, 11, 30, tzinfo=dt.UTC),
    )


def my_data_printout(*, institutions: int = 2) -> MyDataPrintoutContent:
    """A printout with every block; ``institutions`` makes it as long as wanted."""
    enrolments = tuple(
        InstitutionEntry(
            institution_id=f"inst-{n}",
            institution_name=SCHOOL
            if n == 0
            else f"Ūdrupes pirmsskolas izglītības iestāde Nr. {n}",
            programme_code="21011111" if n == 0 else "01011111",
            programme_name="Pamatizglītības programma"
            if n == 0
            else "Vispārējās pirmsskolas izglītības programma",
            class_group="8.b" if n == 0 else "Pūcītes",
            enrolled_from=dt.date(2019, 9, 1) if n == 0 else dt.date(2015, 9, 1),
            enrolled_to=None if n == 0 else dt.date(2019, 5, 31),
        )
        for n in range(institutions)
    )
    return MyDataPrintoutContent(
        subject=SAMPLE_LEARNER,
        basis=RepresentationBasis.MINOR_CHILD,
        blocks=MyDataBlocks(
            person=PersonBlock(
                personal_code=SAMPLE_LEARNER.personal_code,
                given_name="Ģirts",
                family_name="Ļoļa-Ņikitins",
                birth_date=dt.date(2012, 5, 3),
            ),
            institutions=enrolments,
            documents=(
                EducationDocumentEntry(
                    document_type="Apliecība par vispārējo pamatizglītību",
                    series_and_number="PA 012345",
                    issue_date=dt.date(2027, 6, 20),
                    institution_name=SCHOOL,
                    programme_name="Pamatizglītības programma",
                ),
            ),
            scholarships=(
                ScholarshipEntry(
                    institution_name=SCHOOL,
                    scholarship_type="Mācību stipendija",
                    amount_eur=Decimal("1234.50"),
                    period_from=dt.date(2026, 9, 1),
                    period_to=dt.date(2027, 5, 31),
                ),
            ),
            preschool_queue=(
                PreschoolQueueEntry(
                    institution_name="Ķēniņciema pirmsskolas izglītības iestāde „Lāčplēsis”",
                    registered_on=dt.date(2013, 1, 10),
                    desired_start_date=dt.date(2014, 9, 1),
                    position=3,
                ),
            ),
        ),
        extracted_at=dt.datetime(2026, 11, 23, 19, 47, tzinfo=dt.UTC),
    )


def no_data_printout() -> MyDataPrintoutContent:
    return MyDataPrintoutContent(
        subject=SAMPLE_PARENT,
        basis=RepresentationBasis.SELF,
        blocks=MyDataBlocks(),
        extracted_at=dt.datetime(2026, 11, 23, 19, 47, tzinfo=dt.UTC),
    )


def handover_act(language: Language = Language.LV) -> HandoverActContent:
    return sample_handover_act(language)


def write_pngs(directory: Path) -> list[Path]:
    """Render page 1 of every kind to a small PNG (pdftoppm -r 60), for reviewers."""
    from edu_documents.adapters.previews import render_preview
    from edu_documents.domain.receipt import receipt_document
    from edu_documents.rendering import render_content

    usage_rules = receipt_document("usage_rules")
    handover_spec = receipt_document("handover_act")
    assert usage_rules is not None
    assert handover_spec is not None
    lv, en = Language.LV, Language.EN
    pdfs = {
        "handover-act-lv": render_content(handover_act(lv), number="PNA-2026-000123", language=lv),
        "handover-act-en": render_content(handover_act(en), number="PNA-2026-000124", language=en),
        "handover-act-preview-lv": render_preview(handover_spec, lv),
        "usage-rules-preview-lv": render_preview(usage_rules, lv),
        "return-act-lv": render_content(return_act(), number="ATA-2026-000007", language=lv),
        "my-data-printout-lv": render_content(
            my_data_printout(), number="IZD-2026-000042", language=lv
        ),
        "my-data-printout-no-data-lv": render_content(
            no_data_printout(), number="IZD-2026-000043", language=lv
        ),
    }
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, pdf in pdfs.items():
            source = Path(tmp) / f"{name}.pdf"
            source.write_bytes(pdf)
            target = directory / name
            # fixed argv of poppler-utils' pdftoppm (installed by bootstrap), our own paths
            argv = ["pdftoppm", "-r", "60", "-png", "-singlefile", str(source), str(target)]
            subprocess.run(argv, check=True)  # noqa: S603
            written.append(target.with_suffix(".png"))
    return written


if __name__ == "__main__":
    for path in write_pngs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")):
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
