"""Every text of the pages is in both message catalogues, translated into
Latvian, and the seeds' Latvian strings are there exactly as written."""

from __future__ import annotations

from edu_portal.web.i18n import Catalogues, Lang, set_lang
from edu_tools.portal_messages import extract, package_dir

SEEDS_LV = {
    "I agree to the e-service terms of use": "Piekrītu e-pakalpojuma lietošanas noteikumiem",
    "Save as PDF": "Saglabāt kā PDF",
    "Information about the person": "Informācija par personu",
    "The person's education institutions": "Personas izglītības iestādes",
    "Education documents": "Izglītības dokumenti",
    "Scholarships": "Stipendijas",
    "Queue for a pre-school institution": "Rinda pirmsskolas iestādē",
    "No information about this person is available in the State Education Information "
    "System": "Valsts izglītības informācijas sistēmā nav pieejama informācija par šo personu",
}


def test_every_text_in_the_code_is_in_both_catalogues() -> None:
    used = {str(m.id) if not isinstance(m.id, tuple) else m.id[0] for m in extract(package_dir())}
    used.discard("")
    catalogues = Catalogues()
    for lang in Lang:
        missing = sorted(used - catalogues.msgids(lang))
        assert not missing, f"{lang}: run `edu portal messages` and translate: {missing[:10]}"


def test_seeds_strings_are_exact_in_latvian() -> None:
    catalogues = Catalogues()
    set_lang(Lang.LV)
    for msgid, latvian in SEEDS_LV.items():
        assert catalogues.gettext(msgid) == latvian
    set_lang(Lang.EN)
    assert catalogues.gettext("Save as PDF") == "Save as PDF"
    set_lang(Lang.LV)
