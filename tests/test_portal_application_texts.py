"""The portal's status tags say what the applications service's state machine
says, in both languages: both read ``edu_contracts.labels`` (issue #20); and
the pages offer what the state machine allows."""

from __future__ import annotations

import pytest
from edu_applications.adapters import exports
from edu_applications.domain import statuses
from edu_applications.domain.statuses import LABELS
from edu_contracts.applications import ApplicationStatus
from edu_contracts.documents import Language
from edu_portal.applications import texts
from edu_portal.labels import TAG_CLASSES, resource_type_names, status_labels
from edu_portal.web.i18n import Lang, set_lang


@pytest.mark.parametrize(("lang", "language"), [(Lang.LV, Language.LV), (Lang.EN, Language.EN)])
def test_status_labels_are_the_state_machines(lang: Lang, language: Language) -> None:
    set_lang(lang)
    try:
        assert status_labels() == {status: labels[language] for status, labels in LABELS.items()}
    finally:
        set_lang(Lang.LV)


def test_every_status_has_a_tag_colour() -> None:
    assert set(TAG_CLASSES) == set(LABELS)


def test_the_pages_offer_what_the_state_machine_allows() -> None:
    assert texts.WITHDRAWABLE == statuses.WITHDRAWABLE
    assert statuses.EDITABLE_CONTACT - {ApplicationStatus.DRAFT} == texts.CONTACT_EDITABLE


@pytest.mark.parametrize(("lang", "language"), [(Lang.LV, Language.LV), (Lang.EN, Language.EN)])
def test_the_exports_write_the_pages_words(lang: Lang, language: Language) -> None:
    """The CSV/XLSX exports name statuses and resource types as the pages do."""
    set_lang(lang)
    try:
        for status in ApplicationStatus:
            assert statuses.label(status, language) == status_labels()[status]
        for kind, name in resource_type_names().items():
            assert exports.resource_type_label(kind.value, language) == name
        assert exports.resource_type_label("drone", language) == "drone"
    finally:
        set_lang(Lang.LV)
