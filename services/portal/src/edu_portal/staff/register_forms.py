"""The item register's forms as objects (#22): an item added by hand, a
school's move of an item, the items chosen for labels, a number typed or
scanned. Each says what is wrong in the page's language and gives the staff
API's body (``edu_contracts.items``)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from edu_contracts.documents_api import LabelSymbology
from edu_contracts.items import (
    ItemCondition,
    ItemMoveRequest,
    NewItem,
    SchoolMove,
)
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from pydantic import BeforeValidator, Field

from edu_portal.web.forms import ChangeForm, Choices, PageForm, as_tuple
from edu_portal.web.i18n import _

# What a barcode scanner types: the number and Enter. Trimmed; at most as long
# as the register's longest number (a serial number).
Number = Annotated[str, Field(min_length=1, max_length=80)]
MAX_LABELS = 96  # the documents service's limit a request (four sheets)


def _choose() -> str:
    return _("Choose one of the options")


class NewItemForm(PageForm):
    resource_type: LendingResourceType
    model: str = Field(min_length=1, max_length=120)
    inventory_number: str = Field(min_length=1, max_length=40)
    serial_number: str = Field(min_length=1, max_length=80)
    target_group: ResourceTargetGroup
    funding_note: str = Field(default="", max_length=200)
    condition: ItemCondition = ItemCondition.NEW

    @classmethod
    def messages(cls) -> dict[str, str]:
        too_long = _("It is too long")
        return {
            "resource_type": _choose(),
            "target_group": _choose(),
            "condition": _choose(),
            "model": _("Enter the model"),
            "model.string_too_long": too_long,
            "inventory_number": _("Enter the inventory number"),
            "inventory_number.string_too_long": too_long,
            "serial_number": _("Enter the serial number"),
            "serial_number.string_too_long": too_long,
            "funding_note": too_long,
        }

    def body(self) -> NewItem:
        return NewItem(**self.model_dump())


class ItemMoveForm(ChangeForm):
    move: SchoolMove
    why: str = Field(default="", max_length=500)

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"move": _choose(), "why": _("Write at most 500 characters")}

    def body(self) -> ItemMoveRequest:
        return ItemMoveRequest(version=self.version, move=self.move, why=self.why)


class LabelsForm(PageForm):
    """The items ticked in the register's list, and the code to print."""

    item: Annotated[
        tuple[UUID, ...], BeforeValidator(as_tuple), Field(min_length=1, max_length=MAX_LABELS)
    ]
    symbology: LabelSymbology = LabelSymbology.QR

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "item": _("Tick the items to print labels for (at most %(n)s at a time)")
            % {"n": MAX_LABELS},
            "symbology": _choose(),
        }


class NumberForm(PageForm):
    """An inventory or serial number, typed or scanned."""

    number: Number

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "number": _("Enter or scan the inventory or serial number"),
            "number.string_too_long": _("A number has at most 80 characters"),
        }


class TickedForm(PageForm):
    """The items ticked as seen in a stocktake's list (their inventory numbers)."""

    seen: Annotated[Choices, Field(min_length=1)]

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {"seen": _("Tick the items you have seen")}
