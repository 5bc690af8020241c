"""Every member of every labelled enum has its words in both languages: a new
status (resource type, target group, return condition) without them fails here."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pytest
from edu_contracts import labels
from edu_contracts.applications import ApplicationStatus, ReturnCondition
from edu_contracts.documents import Language
from edu_contracts.items import ItemCondition, ItemMove, ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup

TABLES = [
    (ApplicationStatus, labels.APPLICATION_STATUS),
    (LendingResourceType, labels.RESOURCE_TYPE),
    (ResourceTargetGroup, labels.TARGET_GROUP),
    (ReturnCondition, labels.RETURN_CONDITION),
    (ItemState, labels.ITEM_STATE),
    (ItemCondition, labels.ITEM_CONDITION),
    (ItemMove, labels.ITEM_MOVE),
]


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_member_has_words_in_both_languages(
    enum: type[StrEnum], table: Mapping[StrEnum, Mapping[Language, str]]
) -> None:
    assert set(table) == set(enum)
    for member in enum:
        words = table[member]
        assert set(words) == set(Language)
        assert all(w.strip() == w and w for w in words.values())


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=lambda x: getattr(x, "__name__", ""))
def test_no_two_members_read_the_same(
    enum: type[StrEnum], table: Mapping[StrEnum, Mapping[Language, str]]
) -> None:
    for language in Language:
        texts = [table[m][language] for m in enum]
        assert len(set(texts)) == len(texts)
