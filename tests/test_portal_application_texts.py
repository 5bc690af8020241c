"""The portal's status tags say what the applications service's state machine
says, in both languages (the pages keep their own catalogue entries so that
history rows can be labelled too; this keeps the two from drifting)."""

from __future__ import annotations

import pytest
from edu_applications.domain import statuses
from edu_applications.domain.statuses import LABELS
from edu_contracts.applications import ApplicationStatus
from edu_contracts.documents import Language
from edu_portal.applications import texts
from edu_portal.applications.texts import TAG_CLASSES, status_labels
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
