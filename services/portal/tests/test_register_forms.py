"""The item register's forms (``edu_portal.staff.register_forms``) without a
browser or a server: what each accepts, the staff API body it gives, and what
it says is wrong, at which field, in Latvian and English."""

from __future__ import annotations

from uuid import uuid4

import pytest
from edu_contracts.documents_api import LabelSymbology
from edu_contracts.items import ItemCondition, SchoolMove
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from edu_portal.staff.register_forms import (
    MAX_LABELS,
    ItemMoveForm,
    LabelsForm,
    NewItemForm,
    NumberForm,
    TickedForm,
)
from edu_portal.web.i18n import Lang, set_lang

pytestmark = pytest.mark.usefixtures("latvian")

A_LAPTOP = {
    "resource_type": "laptop",
    "model": "  Lenovo ThinkPad E14 ",
    "inventory_number": "INV-0042",
    "serial_number": "PF-42",
    "target_group": "everyone",
    "csrf_token": "x",
}


def test_an_item_added_by_hand_gives_the_api_body_trimmed_and_new_by_default() -> None:
    form, errors = NewItemForm.parse(A_LAPTOP)
    assert not errors
    assert form is not None
    body = form.body()
    assert body.model == "Lenovo ThinkPad E14"
    assert body.resource_type is LendingResourceType.LAPTOP
    assert body.target_group is ResourceTargetGroup.EVERYONE
    assert body.condition is ItemCondition.NEW
    assert body.funding_note == ""


@pytest.mark.parametrize(
    ("lang", "model", "serial", "kind"),
    [
        (Lang.LV, "Ievadiet modeli", "Ievadiet sērijas numuru", "Izvēlieties vienu no iespējām"),
        (Lang.EN, "Enter the model", "Enter the serial number", "Choose one of the options"),
    ],
)
def test_an_item_without_its_model_serial_or_a_known_type_says_so_at_each_field(
    lang: Lang, model: str, serial: str, kind: str
) -> None:
    set_lang(lang)
    bad = A_LAPTOP | {"model": " ", "serial_number": "", "resource_type": "spaceship"}
    form, errors = NewItemForm.parse(bad)
    assert form is None
    assert (errors.get("model"), errors.get("serial_number")) == (model, serial)
    assert errors.get("resource_type") == kind
    assert errors.get("inventory_number") is None


def test_a_too_long_inventory_number_is_refused_not_cut() -> None:
    form, errors = NewItemForm.parse(A_LAPTOP | {"inventory_number": "X" * 41})
    assert form is None
    assert errors.get("inventory_number") == "Tas ir pārāk garš"


def test_a_move_carries_the_version_the_page_showed_and_why() -> None:
    form, errors = ItemMoveForm.parse({"version": "4", "move": "write_off", "why": " Ekrāns "})
    assert not errors
    assert form is not None
    body = form.body()
    assert (body.version, body.move, body.why) == (4, SchoolMove.WRITE_OFF, "Ekrāns")


def test_a_move_the_school_cannot_make_is_refused() -> None:
    form, errors = ItemMoveForm.parse({"version": "4", "move": "issue"})
    assert form is None
    assert errors.get("move") == "Izvēlieties vienu no iespējām"


def test_labels_take_the_ticked_items_and_a_qr_code_by_default() -> None:
    ids = [uuid4(), uuid4()]
    form, errors = LabelsForm.parse({"item": [str(i) for i in ids]})
    assert not errors
    assert form is not None
    assert form.item == tuple(ids)
    assert form.symbology is LabelSymbology.QR


def test_labels_need_at_least_one_and_at_most_a_sheetful_of_items() -> None:
    for data in ({}, {"item": [str(uuid4()) for _ in range(MAX_LABELS + 1)]}):
        form, errors = LabelsForm.parse(data)
        assert form is None
        assert errors.get("item") == (
            f"Atķeksējiet resursus, kuriem drukāt uzlīmes (vienlaikus ne vairāk kā {MAX_LABELS})"
        )


def test_a_scanned_number_is_trimmed_and_an_empty_or_overlong_one_is_said_so() -> None:
    form, errors = NumberForm.parse({"number": " INV-0042\n"})
    assert form is not None
    assert form.number == "INV-0042"
    form, errors = NumberForm.parse({"number": "  "})
    assert form is None
    assert errors.get("number") == "Ievadiet vai noskenējiet inventāra vai sērijas numuru"
    form, errors = NumberForm.parse({"number": "9" * 81})
    assert form is None
    assert errors.get("number") == "Numurā var būt ne vairāk kā 80 rakstzīmju"


def test_a_stocktake_tick_needs_at_least_one_item() -> None:
    form, errors = TickedForm.parse({"seen": ["INV-0041", "INV-0043"]})
    assert form is not None
    assert set(form.seen) == {"INV-0041", "INV-0043"}
    form, errors = TickedForm.parse({})
    assert form is None
    assert errors.get("seen") == "Atķeksējiet redzētos resursus"
