"""One label module for the enums (issue #20): every member has its words in
Latvian and English, the Latvian ones Latvian, and every status a tag colour.
(That the applications service's answers and exports write the same words:
``tests/test_portal_application_texts.py``.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

import pytest
from edu_contracts import labels as words
from edu_contracts.applications import ApplicationStatus, ReturnCondition
from edu_contracts.documents import Language
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_portal import labels
from edu_portal.web.i18n import Lang, set_lang

NAMES: list[tuple[type[StrEnum], Callable[[], dict[Any, str]]]] = [
    (ApplicationStatus, labels.status_labels),
    (LendingResourceType, labels.resource_type_names),
    (ResourceTargetGroup, labels.target_group_names),
    (ReturnCondition, labels.condition_names),
]


@pytest.fixture(autouse=True)
def latvian_afterwards() -> Iterator[None]:
    yield
    set_lang(Lang.LV)


def shown_in(lang: Lang, names: Callable[[], dict[Any, str]]) -> dict[Any, str]:
    set_lang(lang)
    return names()


@pytest.mark.parametrize(("enum", "names"), NAMES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_member_has_its_words_in_both_languages(
    enum: type[StrEnum], names: Callable[[], dict[Any, str]]
) -> None:
    latvian, english = shown_in(Lang.LV, names), shown_in(Lang.EN, names)
    for shown in (latvian, english):
        assert set(shown) == set(enum)
        assert all(shown.values())
        assert len(set(shown.values())) == len(shown), "two members read the same"
    assert all(latvian[m] != english[m] for m in enum), "an English word on a Latvian page"


@pytest.mark.parametrize("status", list(ApplicationStatus))
def test_every_status_has_words_and_a_colour(status: ApplicationStatus) -> None:
    assert isinstance(labels.STATUS_COLOURS[status], labels.TagColour)
    assert labels.TAG_CLASSES[status] == f"tag {labels.TAG_MODIFIERS[status]}".strip()
    for lang in Lang:
        set_lang(lang)
        assert labels.status_label(status) == words.APPLICATION_STATUS[status][Language(lang)]
        assert labels.status_labels()[status] == labels.status_label(status)


def test_a_status_as_the_api_sends_it_finds_its_words_and_tag() -> None:
    set_lang(Lang.LV)
    assert labels.status_labels().get("granted") == "Piešķirts"  # type: ignore[call-overload]
    assert labels.TAG_CLASSES.get("granted") == "tag tag--green"  # type: ignore[call-overload]
    assert labels.TAG_CLASSES.get("submitted") == "tag"  # type: ignore[call-overload]
    set_lang(Lang.EN)
    assert labels.resource_type_names().get("laptop") == "Laptop"  # type: ignore[call-overload]
