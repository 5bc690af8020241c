"""The item register's rules and its spreadsheet import (#22), without I/O."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from edu_applications.adapters.exports import to_csv
from edu_applications.adapters.items_http import EXPORT_HEADERS, export_rows
from edu_applications.adapters.items_import import ImportRefused, read_items
from edu_applications.domain.items import (
    MOVES,
    GrantBudget,
    Item,
    ItemDetails,
    ItemMoveRefused,
    OutOfStock,
    StockKey,
    count_stock,
    stock_key_of,
)
from edu_applications.domain.stocktake import NotExpected, Stocktake, StocktakeClosed
from edu_contracts.items import ItemCondition, ItemMove, ItemState, StocktakeState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup
from openpyxl import Workbook

AT = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
APP = uuid.uuid4()


def laptop(inventory: str = "INV-0042") -> Item:
    details = ItemDetails(
        resource_type=LendingResourceType.LAPTOP,
        model="Lenovo 300e",
        inventory_number=inventory,
        serial_number=f"SN-{inventory}",
        target_group=ResourceTargetGroup.EVERYONE,
    )
    return Item.register(uuid.uuid4(), "inst-1", details, at=AT, by="Anna Ozola")


def test_an_item_goes_from_stock_to_a_learner_and_back_to_repair() -> None:
    item = laptop()
    item = item.move(ItemMove.RESERVE, at=AT, by="Anna Ozola", application_id=APP)
    assert (item.state, item.application_id) == (ItemState.RESERVED, APP)
    item = item.move(ItemMove.ISSUE, at=AT, by="Anna Ozola")
    assert item.state is ItemState.ISSUED
    assert item.application_id == APP
    item = item.move(ItemMove.RETURN_DAMAGED, at=AT, by="Anna Ozola", why="cracked screen")
    assert (item.state, item.condition, item.application_id) == (
        ItemState.IN_REPAIR,
        ItemCondition.DAMAGED,
        None,
    )
    assert [c.move for c in item.history] == [
        ItemMove.REGISTER,
        ItemMove.RESERVE,
        ItemMove.ISSUE,
        ItemMove.RETURN_DAMAGED,
    ]
    assert item.history[-1].application_id == APP
    assert item.history[-1].why == "cracked screen"
    assert item.version == 4


def test_an_item_is_never_reserved_twice() -> None:
    reserved = laptop().move(ItemMove.RESERVE, at=AT, by="A", application_id=APP)
    with pytest.raises(ItemMoveRefused) as refused:
        reserved.move(ItemMove.RESERVE, at=AT, by="B", application_id=uuid.uuid4())
    assert refused.value.reason == "item_move_not_allowed"


def test_every_move_is_refused_from_every_state_it_does_not_start_from() -> None:
    for move, (starts, _) in MOVES.items():
        for state in set(ItemState) - starts:
            item = laptop().model_copy(update={"state": state, "application_id": APP})
            with pytest.raises(ItemMoveRefused):
                item.move(move, at=AT, by="A", application_id=APP)


def test_a_lending_move_under_another_application_is_refused() -> None:
    issued = (
        laptop()
        .move(ItemMove.RESERVE, at=AT, by="A", application_id=APP)
        .move(ItemMove.ISSUE, at=AT, by="A")
    )
    with pytest.raises(ItemMoveRefused):
        issued.move(ItemMove.RETURN, at=AT, by="A", application_id=uuid.uuid4())


def test_forgetting_the_learner_keeps_the_history() -> None:
    item = (
        laptop()
        .move(ItemMove.RESERVE, at=AT, by="A", application_id=APP, why="PNA-2026-000042")
        .move(ItemMove.ISSUE, at=AT, by="A", why="PNA-2026-000042")
        .move(ItemMove.MARK_LOST, at=AT, by="A", why="PNA-2026-000042")
    )
    forgotten = item.forget_learner(APP)
    assert len(forgotten.history) == len(item.history)
    assert all(c.application_id is None for c in forgotten.history)
    assert [c.why for c in forgotten.history] == ["", "", "", ""]
    assert forgotten.application_id is None
    assert forgotten.state is ItemState.LOST


def test_stock_is_counted_per_type_and_target_group() -> None:
    key = StockKey(
        resource_type=LendingResourceType.LAPTOP, target_group=ResourceTargetGroup.EVERYONE
    )
    other = StockKey(
        resource_type=LendingResourceType.TABLET, target_group=ResourceTargetGroup.EVERYONE
    )
    stock = count_stock(
        [
            (key, ItemState.AVAILABLE),
            (key, ItemState.AVAILABLE),
            (key, ItemState.ISSUED),
            (other, ItemState.IN_REPAIR),
        ]
    )
    assert [(s.key, s.counts) for s in stock] == [
        (key, {ItemState.AVAILABLE: 2, ItemState.ISSUED: 1}),
        (other, {ItemState.IN_REPAIR: 1}),
    ]
    assert stock[0].available == 2
    assert stock[1].available == 0
    assert [(s.awaiting, s.free) for s in stock] == [(0, 2), (0, 0)]


def test_stock_counts_what_is_promised_to_granted_applications() -> None:
    """``awaiting``: one per granted application with no item yet; ``free`` =
    available - awaiting, never below 0; a line with only promises appears."""
    laptops = StockKey(
        resource_type=LendingResourceType.LAPTOP, target_group=ResourceTargetGroup.EVERYONE
    )
    tablets = StockKey(
        resource_type=LendingResourceType.TABLET,
        target_group=ResourceTargetGroup.SOCIALLY_SUPPORTED,
    )
    others = StockKey(
        resource_type=LendingResourceType.TABLET, target_group=ResourceTargetGroup.EVERYONE
    )
    stock = count_stock(
        [(laptops, ItemState.AVAILABLE)] * 3 + [(tablets, ItemState.AVAILABLE)],
        {laptops: 1, tablets: 2, others: 1},
    )
    assert [(s.key, s.available, s.awaiting, s.free) for s in stock] == [
        (laptops, 3, 1, 2),
        (others, 0, 1, 0),
        (tablets, 1, 2, 0),
    ]
    assert stock_key_of("laptop", ResourceTargetGroup.EVERYONE) == laptops
    assert stock_key_of("projector", ResourceTargetGroup.EVERYONE) is None
    assert [StockKey.from_code(k.code) for k in (laptops, tablets)] == [laptops, tablets]
    assert tablets.code == "tablet/socially_supported"


def test_a_grant_budget_is_the_free_stock_taken_one_grant_at_a_time() -> None:
    laptops = StockKey(
        resource_type=LendingResourceType.LAPTOP, target_group=ResourceTargetGroup.EVERYONE
    )
    tablets = StockKey(
        resource_type=LendingResourceType.TABLET, target_group=ResourceTargetGroup.EVERYONE
    )
    budget = GrantBudget(count_stock([(laptops, ItemState.AVAILABLE)] * 2, {laptops: 1}))
    budget.take(laptops)
    with pytest.raises(OutOfStock) as refused:
        budget.take(laptops)
    assert refused.value.reason == "out_of_stock"
    assert refused.value.extra == {"resource_type": "laptop", "target_group": "everyone"}
    with pytest.raises(OutOfStock):
        budget.take(tablets)  # no line at all: nothing free
    budget.give_back(laptops)  # the grant did not happen after all
    budget.take(laptops)
    budget.take(None)  # no resource, or a type the register does not hold: no limit


CSV_LV = (
    "Resursa veids;Modelis;Inventāra numurs;Sērijas numurs;Mērķa grupa;Finansējums;Stāvoklis\n"
    "Klēpjdators;Lenovo 300e;INV-0001;SN1;visiem;ESF 2026;jauns\n"
    "Planšetdators;iPad 9;INV-0002;SN2;sociāli atbalstāmajiem;;\n"
)


def test_a_latvian_csv_is_read() -> None:
    rows = read_items(("\ufeff" + CSV_LV).encode(), "prece.csv")
    assert [(r.line, r.details.inventory_number) for r in rows] == [
        (2, "INV-0001"),
        (3, "INV-0002"),
    ]
    assert rows[1].details.resource_type is LendingResourceType.TABLET
    assert rows[1].details.target_group is ResourceTargetGroup.SOCIALLY_SUPPORTED
    assert rows[1].details.condition is ItemCondition.NEW
    assert rows[0].details.funding_note == "ESF 2026"


def test_every_bad_row_is_reported_and_nothing_is_read() -> None:
    bad = CSV_LV + (
        "Klēpjdators;Dell;INV-0001;SN3;visiem;;\n"  # duplicate inventory number
        "Printeris;HP;INV-0004;SN4;visiem;;\n"  # unknown type
        "Klēpjdators;Dell;INV-0005;;visiem;;\n"  # missing serial
    )
    with pytest.raises(ImportRefused) as refused:
        read_items(bad.encode(), "prece.csv")
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (4, "duplicate_inventory_number"),
        (5, "unknown_resource_type"),
        (6, "missing_serial_number"),
    ]


def test_a_file_without_a_required_column_is_refused_at_its_header() -> None:
    with pytest.raises(ImportRefused) as refused:
        read_items(b"Modelis;Inventara\nx;y\n", "prece.csv")
    reasons = {(p.line, p.reason, p.column) for p in refused.value.problems}
    assert (1, "unknown_column", None) in reasons
    assert (1, "missing_column", "serial_number") in reasons


def test_an_xlsx_with_english_headers_is_read() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Resource type", "Model", "Inventory number", "Serial number", "Target group"])
    sheet.append(["laptop", "HP 250", "INV-9", 12345, "everyone"])
    out = io.BytesIO()
    book.save(out)
    (row,) = read_items(out.getvalue(), "items.XLSX")
    assert (row.line, row.details.serial_number) == (2, "12345")


def test_a_file_that_is_not_a_spreadsheet_is_refused() -> None:
    with pytest.raises(ImportRefused) as refused:
        read_items(b"\x00\x01PK", "items.xlsx")
    assert refused.value.problems[0].reason == "not_xlsx"
    with pytest.raises(ImportRefused) as refused:
        read_items("Modelis\n".encode("utf-16"), "items.csv")
    assert refused.value.problems[0].reason == "not_utf8"


def test_an_export_reads_back_as_the_same_items() -> None:
    tablet = Item.register(
        uuid.uuid4(),
        "inst-1",
        ItemDetails(
            resource_type=LendingResourceType.TABLET,
            model="iPad 9",
            inventory_number="INV-7",
            serial_number="SN-7",
            target_group=ResourceTargetGroup.SOCIALLY_SUPPORTED,
            funding_note="ESF",
            condition=ItemCondition.GOOD,
        ),
        at=AT,
        by="A",
    )
    items = [laptop(), tablet]
    exported = to_csv(EXPORT_HEADERS, export_rows(items))
    rows = read_items(exported, "inventars.csv")
    assert [r.details for r in rows] == [ItemDetails.model_validate(i.model_dump()) for i in items]


def test_a_stocktake_expects_what_should_be_on_the_shelf_and_reports_what_was_not_seen() -> None:
    shelf = [laptop(f"INV-{n}") for n in (3, 1, 2)]
    lent = (
        laptop("INV-9")
        .move(ItemMove.RESERVE, at=AT, by="A", application_id=APP)
        .move(ItemMove.ISSUE, at=AT, by="A")
    )
    take = Stocktake.start(uuid.uuid4(), "inst-1", [*shelf, lent], at=AT, by="Anna")
    assert [e.inventory_number for e in take.expected] == ["INV-1", "INV-2", "INV-3"]
    take = take.mark_seen(shelf[0], at=AT, by="Anna").mark_seen(shelf[1], at=AT, by="Berta")
    assert take.mark_seen(shelf[0], at=AT, by="Berta") is take  # seen once is enough
    with pytest.raises(NotExpected):
        take.mark_seen(lent, at=AT, by="Anna")
    done = take.finish(at=AT, by="Anna")
    assert [e.inventory_number for e in done.not_seen] == ["INV-2"]
    assert (done.state, done.version) == (StocktakeState.FINISHED, 4)
    with pytest.raises(StocktakeClosed):
        done.mark_seen(shelf[2], at=AT, by="Anna")
