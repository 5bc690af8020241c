"""The words and tag colours of the contracts' enums on the pages.

The words are ``edu_contracts.labels`` (Latvian and English, shared with the
applications service's answers and its CSV/XLSX exports), picked in the
request's language; the colour of each status tag lives here, once, for the
citizen and the staff pages alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeVar

from edu_contracts import labels
from edu_contracts.applications import ApplicationStatus as S
from edu_contracts.applications import ReturnCondition
from edu_contracts.documents import Language
from edu_contracts.items import ItemCondition, ItemMove, ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup

from edu_portal.web.i18n import current_lang

E = TypeVar("E", bound=StrEnum)


class TagColour(StrEnum):
    """GOV.UK tag colours: blue in progress, green done or good, red refused,
    yellow waiting on the person or the school, grey closed or not started."""

    BLUE = ""  # the plain tag
    GREEN = "tag--green"
    RED = "tag--red"
    YELLOW = "tag--yellow"
    GREY = "tag--grey"


STATUS_COLOURS: Final[Mapping[S, TagColour]] = MappingProxyType(
    {
        S.DRAFT: TagColour.GREY,
        S.BEING_VERIFIED: TagColour.BLUE,
        S.SUBMITTED: TagColour.BLUE,
        S.REJECTED: TagColour.RED,
        S.POSTPONED: TagColour.YELLOW,
        S.GRANTED: TagColour.GREEN,
        S.REFUSED: TagColour.RED,
        S.READY_FOR_ISSUE: TagColour.GREEN,
        S.ISSUED: TagColour.GREEN,
        S.RETURNED: TagColour.GREY,
        S.WITHDRAWN: TagColour.GREY,
    }
)

TAG_MODIFIERS: Final[Mapping[S, str]] = MappingProxyType(
    {status: colour.value for status, colour in STATUS_COLOURS.items()}
)
"""Status → the colour's modifier class (``tag--green``; the blue tag has none),
for markup that writes ``class="tag {{ … }}"`` itself."""

TAG_CLASSES: Final[Mapping[S, str]] = MappingProxyType(
    {status: f"tag {colour.value}".strip() for status, colour in STATUS_COLOURS.items()}
)
"""Status → the whole class of its tag (``tag tag--green``)."""


def language() -> Language:
    """The request's language as the contracts name it."""
    return Language(current_lang().value)


def _words(table: Mapping[E, Mapping[Language, str]]) -> dict[E, str]:
    lang = language()
    return {member: words[lang] for member, words in table.items()}


def status_label(status: S) -> str:
    return labels.APPLICATION_STATUS[status][language()]


def status_labels() -> dict[S, str]:
    """Every status → its words in the request's language (keys are StrEnum
    members, so a plain ``"granted"`` finds its label too)."""
    return _words(labels.APPLICATION_STATUS)


def tag_class(status: S) -> str:
    return TAG_CLASSES[status]


def resource_type_names() -> dict[LendingResourceType, str]:
    return _words(labels.RESOURCE_TYPE)


def target_group_names() -> dict[ResourceTargetGroup, str]:
    return _words(labels.TARGET_GROUP)


def condition_names() -> dict[ReturnCondition, str]:
    """The state a resource came back in, as the staff pages and exports name it."""
    return _words(labels.RETURN_CONDITION)


def item_state_names() -> dict[ItemState, str]:
    return _words(labels.ITEM_STATE)


def item_condition_names() -> dict[ItemCondition, str]:
    return _words(labels.ITEM_CONDITION)


def item_move_names() -> dict[ItemMove, str]:
    return _words(labels.ITEM_MOVE)


ITEM_STATE_CLASSES: Final[Mapping[ItemState, str]] = MappingProxyType(
    {
        ItemState.AVAILABLE: f"tag {TagColour.GREEN.value}",
        ItemState.RESERVED: f"tag {TagColour.YELLOW.value}",
        ItemState.ISSUED: "tag",
        ItemState.IN_REPAIR: f"tag {TagColour.YELLOW.value}",
        ItemState.LOST: f"tag {TagColour.RED.value}",
        ItemState.STOLEN: f"tag {TagColour.RED.value}",
        ItemState.WRITTEN_OFF: f"tag {TagColour.GREY.value}",
    }
)
"""An item's state → its tag's class: green on the shelf, yellow held back,
blue with a learner, red gone, grey written off."""
