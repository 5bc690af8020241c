"""The PDFs themselves: each kind renders, Latvian text survives extraction
(pdftotext), page numbers, the number on every page, metadata, determinism."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from edu_contracts.documents import (
    HandoverActContent,
    Language,
    MyDataPrintoutContent,
    PersonRef,
    ReturnActContent,
)
from edu_documents.adapters.previews import render_preview
from edu_documents.domain.receipt import RECEIPT_DOCUMENTS, receipt_document
from edu_documents.rendering import FontsMissing, RenderError, render_content
from edu_documents.rendering.fonts import check_font_dir
from edu_tools.documents import samples

HEADINGS_LV = (
    "Informācija par personu",
    "Personas izglītības iestādes",
    "Izglītības dokumenti",
    "Stipendijas",
    "Rinda pirmsskolas iestādē",
)
NAMES = ("Žanete Čakša-Ūdre", "Ģirts Ļoļa-Ņikitins", "Ķēniņciema Valsts ģimnāzija")


def pdf_text(pdf: bytes, tmp_path: Path, *pages: int, layout: bool = True) -> str:
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:10]}.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else [])]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run(
        [*args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def rendered_text(
    content: HandoverActContent | ReturnActContent | MyDataPrintoutContent,
    number: str,
    tmp_path: Path,
    language: Language = Language.LV,
) -> str:
    """The text of ``content`` rendered as document ``number``."""
    return pdf_text(render_content(content, number=number, language=language), tmp_path)


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def test_handover_act_has_the_latvian_text_intact(tmp_path: Path) -> None:
    text = rendered_text(samples.handover_act(), "PNA-2026-000123", tmp_path)
    assert "Pieņemšanas-nodošanas akts" in text
    for name in NAMES:
        assert name in text
    for heading in ("Resursa saņēmējs", "Izglītojamais", "Nodotais resurss"):
        assert heading in text
    assert "Elektronisks apstiprinājums" in text
    assert "eParaksts" in text
    assert "Izglītības resursa lietošanas noteikumi, versija 2026-09-01" in text
    assert "INV-000000" in text
    assert "SN-0000000000" in text
    assert "Lapa 1 no 1" in text
    assert "PNA-2026-000123" in text


def test_acts_show_the_application_reference_when_there_is_one(tmp_path: Path) -> None:
    with_ref = samples.handover_act().model_copy(update={"application_reference": "IR-7K3M-Q9TX"})
    assert "Iesniegums IR-7K3M-Q9TX" in rendered_text(with_ref, "PNA-2026-000130", tmp_path)
    # An application older than references: no line at all.
    assert "Iesniegums" not in rendered_text(samples.handover_act(), "PNA-2026-000131", tmp_path)


def test_handover_act_in_english(tmp_path: Path) -> None:
    pdf = render_content(
        samples.handover_act(Language.EN), number="PNA-2026-000124", language=Language.EN
    )
    text = pdf_text(pdf, tmp_path)
    assert "Handover-acceptance act" in text
    assert "Electronic confirmation" in text
    assert "Page 1 of 1" in text
    assert "Terms of use of the education resource, version 2026-09-01" in text
    assert "Pieņemšanas" not in text
    assert b"/Lang (en)" in pdf


def test_return_act_renders(tmp_path: Path) -> None:
    text = rendered_text(samples.return_act(), "ATA-2026-000007", tmp_path)
    assert "Resursa atgriešanas akts" in text
    assert "bojāts" in text
    assert "Ekrāna stūrī plaisa; lādētājs atdots." in text
    assert "Dzintra Ozoliņa" in text
    assert "15.06.2027 14:30 (Rīgas laiks)" in text  # 11:30 UTC in Riga summer time


def test_return_act_with_an_unknown_condition_is_refused() -> None:
    content = ReturnActContent.model_validate(
        {**samples.return_act().model_dump(), "condition": "exploded"}
    )
    with pytest.raises(RenderError) as err:
        render_content(content, number="ATA-2026-000008", language=Language.LV)
    assert err.value.reason == "unknown_condition"


def test_my_data_printout_shows_every_block_heading(tmp_path: Path) -> None:
    text = rendered_text(samples.my_data_printout(), "IZD-2026-000042", tmp_path)
    assert "Mani dati izglītības reģistros" in text
    for heading in HEADINGS_LV:
        assert heading in text
    assert "Izdrukas datums un laiks" in text
    assert "23.11.2026 21:47 (Rīgas laiks)" in text
    assert "1 234,50" in text
    assert "Ģirts" in text
    assert "Ļoļa-Ņikitins" in text
    assert "Valsts izglītības informācijas sistēmā nav pieejama" not in text


def test_my_data_printout_shows_only_blocks_present(tmp_path: Path) -> None:
    full = samples.my_data_printout()
    only_person = full.model_copy(
        update={"blocks": full.blocks.model_copy(update={"scholarships": None, "documents": None})}
    )
    text = rendered_text(only_person, "IZD-2026-000044", tmp_path)
    assert "Informācija par personu" in text
    assert "Stipendijas" not in text
    assert "Izglītības dokumenti" not in text


def test_empty_my_data_printout_says_there_is_no_data(tmp_path: Path) -> None:
    lv = rendered_text(samples.no_data_printout(), "IZD-2026-000043", tmp_path)
    assert (
        "Valsts izglītības informācijas sistēmā nav pieejama informācija par šo personu"
        in " ".join(lv.split())
    )
    for heading in HEADINGS_LV:
        assert heading not in lv
    en = rendered_text(samples.no_data_printout(), "IZD-2026-000045", tmp_path, Language.EN)
    assert "No information about this person is available in the State Education" in " ".join(
        en.split()
    )


def test_long_printout_numbers_pages_and_repeats_the_number(tmp_path: Path) -> None:
    pdf = render_content(
        samples.my_data_printout(institutions=60), number="IZD-2026-000046", language=Language.LV
    )
    pages = int(pdf_info(pdf, tmp_path)["Pages"])
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(pdf, tmp_path, page)
        assert f"Lapa {page} no {pages}" in text
        assert "Nr. IZD-2026-000046" in text


def test_metadata_is_set(tmp_path: Path) -> None:
    pdf = render_content(samples.handover_act(), number="PNA-2026-000125", language=Language.LV)
    info = pdf_info(pdf, tmp_path)
    assert info["Title"] == "Pieņemšanas-nodošanas akts PNA-2026-000125"
    assert info["Author"] == "Ķēniņciema Valsts ģimnāzija"
    assert info["Subject"] == "Izglītības resursa nodošana individuālai lietošanai"
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    assert b"/Lang (lv)" in pdf
    fonts = subprocess.run(
        ["pdffonts", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert "DejaVuSans" in fonts
    assert "Helvetica" not in fonts  # nothing fell back to a font without Latvian glyphs


def test_same_input_gives_the_same_bytes() -> None:
    first = render_content(samples.handover_act(), number="PNA-2026-000126", language=Language.LV)
    again = render_content(samples.handover_act(), number="PNA-2026-000126", language=Language.LV)
    other = render_content(samples.handover_act(), number="PNA-2026-000127", language=Language.LV)
    assert hashlib.sha256(first).digest() == hashlib.sha256(again).digest()
    assert first != other


@pytest.mark.parametrize("language", [Language.LV, Language.EN])
def test_previews_are_marked_as_samples(tmp_path: Path, language: Language) -> None:
    mark = "PARAUGS" if language is Language.LV else "SAMPLE"
    for spec in RECEIPT_DOCUMENTS:
        text = pdf_text(render_preview(spec, language), tmp_path)
        assert mark in text
        assert spec.titles[language] in text
    rules = receipt_document("usage_rules")
    assert rules is not None
    # raw order: in layout mode the diagonal watermark's letters interleave with lines
    text = " ".join(pdf_text(render_preview(rules, language), tmp_path, layout=False).split())
    assert ("25 mēnešus" if language is Language.LV else "25 months") in text


def _font_files(pdf: bytes) -> list[bytes]:
    """The embedded font programs (compressed), as they appear in the file."""
    files = []
    for match in re.finditer(rb"/Length1 \d+\s*>>\s*stream\r?\n", pdf):
        files.append(pdf[match.end() : pdf.index(b"endstream", match.end())])
    return files


def _act_for(parent: str, learner: str) -> HandoverActContent:
    act = samples.handover_act()
    return act.model_copy(
        update={
            "recipient": PersonRef(personal_code="320000-00001", full_name=parent),
            "learner": PersonRef(personal_code="320000-00002", full_name=learner),
        }
    )


def test_acts_for_different_latvian_names_embed_the_same_font_subset(tmp_path: Path) -> None:
    # The subset is cut and compressed once per process only if it does not
    # depend on which Latvian letters a family's names happen to use.
    first = _act_for("Anna Bērziņa", "Kārlis Ozoliņš")
    second = _act_for("Ieva Ķemere", "Jānis Šmits")
    fonts = [
        _font_files(render_content(act, number="PNA-2026-000130", language=Language.LV))
        for act in (first, second)
    ]
    assert fonts[0]
    assert fonts[0] == fonts[1]
    text = rendered_text(second, "PNA-2026-000131", tmp_path)
    assert "Ieva Ķemere" in text
    assert "Jānis Šmits" in text


def test_a_name_with_letters_beyond_latvian_still_prints(tmp_path: Path) -> None:
    act = _act_for("Jürgen Öhlmann", "Łucja Dąbrowska")
    pdf = render_content(act, number="PNA-2026-000132", language=Language.LV)
    text = pdf_text(pdf, tmp_path)
    assert "Jürgen Öhlmann" in text
    assert "Łucja Dąbrowska" in text
    latvian = render_content(samples.handover_act(), number="PNA-2026-000132", language=Language.LV)
    assert _font_files(pdf) != _font_files(latvian)  # its own subset, with ü Ö Ł ą


def test_a_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FontsMissing, match="fonts-dejavu-core"):
        check_font_dir(tmp_path)
