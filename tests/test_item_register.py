"""The school's item register over HTTP (#22), on the real services: a school
imports its laptops from a Latvian spreadsheet (all or nothing, every bad line
named), finds them, scans one, counts its stock, writes one off over the
version it saw, exports the register; each change is an ``item.changed.v1``
event on Kafka. Another school sees none of it; citizens are refused."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import re
import subprocess
import uuid
from typing import Any

import pytest
from edu_contracts import topics
from edu_contracts.retention import (
    PurgeOrdered,
    PurgeOrderedPayload,
    PurgeSubject,
    PurgeSubjectKind,
)
from edu_contracts.services import ServiceName
from edu_tools.backends import Backends
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import eventually

from tests.conftest import Stack
from tests.flows import (
    APPS,
    STAFF,
    Actors,
    TopicLog,
    linked,
    make_actors,
    ok,
    pdf_text,
    refused,
    staff_post,
    submitted,
    tell,
)

REG = "/api/v1/staff/item-register"

CSV = (
    "Resursa veids;Modelis;Inventāra numurs;Sērijas numurs;Mērķa grupa;Finansējums;Stāvoklis\n"
    "Klēpjdators;Lenovo 300e;{p}-0001;{p}-SN1;visiem;ESF 2026;jauns\n"
    "Klēpjdators;Lenovo 300e;{p}-0002;{p}-SN2;visiem;ESF 2026;jauns\n"
    "Planšetdators;iPad 9;{p}-0003;{p}-SN3;sociāli atbalstāmajiem;;labs\n"
)


async def pdf_lines(pdf: bytes) -> str:
    done = await asyncio.to_thread(
        subprocess.run,
        ["pdftotext", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def upload(text: str, filename: str = "inventars.csv") -> dict[str, str]:
    return {"filename": filename, "content": base64.b64encode(text.encode()).decode()}


@pytest.fixture
async def actors(stack: Stack, gateway: GatewayKeys) -> Actors:
    return await make_actors(stack, gateway)


async def test_a_school_imports_finds_counts_writes_off_and_exports(
    stack: Stack, actors: Actors, edu_backends: Backends
) -> None:
    a, c = actors, stack.applications.client
    p = f"T{uuid.uuid4().hex[:6].upper()}"

    imported = await ok(
        await c.post(f"{REG}/imports", json=upload(CSV.format(p=p)), headers=a.staff)
    )
    assert imported == {"imported": 3, "problems": []}

    stock = await ok(await c.get(f"{REG}/stock", headers=a.staff))
    lines = {(s["resource_type"], s["target_group"]): s for s in stock["lines"]}
    assert lines[("laptop", "everyone")]["available"] == 2
    assert lines[("tablet", "socially_supported")]["available"] == 1
    assert (lines[("laptop", "everyone")]["awaiting"], lines[("laptop", "everyone")]["free"]) == (
        0,
        2,
    )

    found = await ok(await c.get(f"{REG}/items", params={"q": f"{p.lower()}-000"}, headers=a.staff))
    assert found["total"] == 3
    assert [i["inventory_number"] for i in found["items"]] == [
        f"{p}-0001",
        f"{p}-0002",
        f"{p}-0003",
    ]
    laptops = await ok(
        await c.get(
            f"{REG}/items",
            params={"resource_type": "laptop", "target_group": "everyone", "state": "available"},
            headers=a.staff,
        )
    )
    assert {i["inventory_number"] for i in laptops["items"]} >= {f"{p}-0001", f"{p}-0002"}

    # A scanner types the serial number; the item comes with its history.
    scanned = await ok(await c.get(f"{REG}/scan", params={"number": f" {p}-sn2 "}, headers=a.staff))
    assert scanned["inventory_number"] == f"{p}-0002"
    assert [h["move"] for h in scanned["history"]] == ["register"]
    assert scanned["history"][0]["by"] == "Ūna Šķēle"

    # Written off over the version seen; the same version again is stale.
    item = f"{REG}/items/{scanned['item_id']}"
    body = {"version": scanned["version"], "move": "write_off", "why": "Broken beyond repair"}
    moved = await ok(await c.post(f"{item}/moves", json=body, headers=a.staff))
    assert moved["state"] == "written_off"
    assert [h["move"] for h in moved["history"]] == ["register", "write_off"]
    await refused(await c.post(f"{item}/moves", json=body, headers=a.staff), 409, "stale_version")
    # Lending moves are the application's; an unknown move is refused by the contract.
    lend = {"version": moved["version"], "move": "reserve"}
    await refused(
        await c.post(f"{item}/moves", json=lend, headers=a.staff), 422, "validation_error"
    )
    again = {"version": moved["version"], "move": "repaired"}
    await refused(
        await c.post(f"{item}/moves", json=again, headers=a.staff), 409, "item_move_not_allowed"
    )

    stock = await ok(await c.get(f"{REG}/stock", headers=a.staff))
    lines = {(s["resource_type"], s["target_group"]): s for s in stock["lines"]}
    assert (
        lines[("laptop", "everyone")]["available"],
        lines[("laptop", "everyone")]["written_off"],
    ) == (1, 1)

    export = await c.get(f"{REG}/export.csv", headers=a.staff)
    assert export.status_code == 200
    assert export.headers["cache-control"] == "no-store"
    text = export.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Resursa veids,Modelis,Inventāra numurs")
    assert f"{p}-0002" in text
    assert "Norakstīts" in text  # the state, in the words the pages use

    # Every change is an event, keyed by the item.
    async with TopicLog(edu_backends.kafka_bootstrap, topics.ITEM_EVENTS) as log:

        async def moves_of_item() -> list[str] | None:
            records = await log.of(scanned["item_id"])
            moves = [json.loads(r.value)["payload"]["move"] for r in records]
            return moves if len(moves) == 2 else None

        assert await eventually(moves_of_item, timeout=20) == ["register", "write_off"]


async def test_an_import_with_bad_rows_registers_nothing_and_names_every_line(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    p = f"B{uuid.uuid4().hex[:6].upper()}"
    await ok(await c.post(f"{REG}/imports", json=upload(CSV.format(p=p)), headers=a.staff))
    before = await ok(await c.get(f"{REG}/items", params={"limit": 1}, headers=a.staff))

    bad = CSV.format(p=f"{p}X") + (
        f"Klēpjdators;Dell;{p}-0001;{p}-SN9;visiem;;\n"  # inventory number registered already
        f"Printeris;HP;{p}X-0005;{p}X-SN5;visiem;;\n"  # unknown type
        f"Klēpjdators;Dell;{p}X-0006;;visiem;;\n"  # no serial number
    )
    body = await ok(await c.post(f"{REG}/imports", json=upload(bad), headers=a.staff))
    assert body["imported"] == 0
    assert [(x["line"], x["reason"]) for x in body["problems"]] == [
        (6, "unknown_resource_type"),
        (7, "missing_serial_number"),
    ]
    # Fixed in the file, the registered number is then the one problem.
    fixed = CSV.format(p=f"{p}X") + f"Klēpjdators;Dell;{p}-0001;{p}-SN9;visiem;;\n"
    body = await ok(await c.post(f"{REG}/imports", json=upload(fixed), headers=a.staff))
    assert body["imported"] == 0
    assert [(x["line"], x["reason"]) for x in body["problems"]] == [
        (5, "inventory_number_registered")
    ]
    after = await ok(await c.get(f"{REG}/items", params={"limit": 1}, headers=a.staff))
    assert after["total"] == before["total"]
    await refused(
        await c.post(f"{REG}/imports", json=upload("x", "inventars.pdf"), headers=a.staff),
        422,
        "validation_error",
    )


async def test_one_school_cannot_see_anothers_items_and_citizens_are_refused(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    new = {
        "resource_type": "laptop",
        "model": "HP 250",
        "inventory_number": f"O-{uuid.uuid4().hex[:8]}",
        "serial_number": f"OSN-{uuid.uuid4().hex[:8]}",
        "target_group": "everyone",
    }
    item = await ok(await c.post(f"{REG}/items", json=new, headers=a.staff), 201)
    assert item["state"] == "available"
    await refused(await c.post(f"{REG}/items", json=new, headers=a.staff), 409, "number_registered")
    await refused(
        await c.get(f"{REG}/items/{item['item_id']}", headers=a.other_staff), 404, "item_not_found"
    )
    await refused(
        await c.get(f"{REG}/scan", params={"number": new["serial_number"]}, headers=a.other_staff),
        404,
        "item_not_found",
    )
    await refused(await c.get(f"{REG}/items", headers=a.parent), 403, "staff_only")
    await refused(
        await c.post(f"{REG}/items", json={**new, "colour": "red"}, headers=a.staff),
        422,
        "unknown_field",
    )


async def test_the_item_moves_with_its_application_from_reservation_to_return(
    stack: Stack, actors: Actors
) -> None:
    """Ready for issue reserves a register item (of the application's type and
    target group only), the receipt issues it, the return puts it in repair,
    a withdrawal releases it; the stock follows every step."""
    a, c = actors, stack.applications.client
    p = f"L{uuid.uuid4().hex[:6].upper()}"
    await ok(await c.post(f"{REG}/imports", json=upload(CSV.format(p=p)), headers=a.staff))
    laptop = await ok(await c.get(f"{REG}/scan", params={"number": f"{p}-0001"}, headers=a.staff))
    tablet = await ok(await c.get(f"{REG}/scan", params={"number": f"{p}-0003"}, headers=a.staff))

    async def stock_of_laptops() -> dict[str, int]:
        stock = await ok(await c.get(f"{REG}/stock", headers=a.staff))
        line = next(
            s
            for s in stock["lines"]
            if (s["resource_type"], s["target_group"]) == ("laptop", "everyone")
        )
        return {k: v for k, v in line.items() if isinstance(v, int)}

    before = await stock_of_laptops()
    app = await submitted(stack, a)
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    # Granted, no item yet: promised, so no longer free.
    granted = await stock_of_laptops()
    assert (granted["available"], granted["awaiting"], granted["free"]) == (
        before["available"],
        before["awaiting"] + 1,
        before["free"] - 1,
    )
    body = {"version": app["version"], "item_id": tablet["item_id"]}
    await refused(
        await c.post(f"{STAFF}/{app['id']}/item-reservation", json=body, headers=a.staff),
        409,
        "item_does_not_match",
    )
    app = await staff_post(stack, a, app, "item-reservation", {"item_id": laptop["item_id"]})
    assert app["status"] == "ready_for_issue"
    assert app["item"]["inventory_number"] == f"{p}-0001"
    assert app["item"]["item_id"] == laptop["item_id"]
    item_url = f"{REG}/items/{laptop['item_id']}"
    item = await ok(await c.get(item_url, headers=a.staff))
    assert (item["state"], item["application_id"]) == ("reserved", app["id"])
    after = await stock_of_laptops()
    assert (after["available"], after["reserved"], after["awaiting"], after["free"]) == (
        before["available"] - 1,
        before["reserved"] + 1,
        before["awaiting"],
        before["free"] - 1,
    )

    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=a.parent,
        )
    )
    assert app["status"] == "issued"
    item = await ok(await c.get(item_url, headers=a.staff))
    assert item["state"] == "issued"
    act = await linked(stack, app["id"], a.parent, "handover_act")
    assert f"{p}-SN1" in await pdf_text(stack, act["document_id"], a.parent)

    app = await staff_post(
        stack, a, app, "return", {"condition": "damaged", "note": "Ieplaisājis ekrāns"}
    )
    item = await ok(await c.get(item_url, headers=a.staff))
    assert (item["state"], item["condition"], item["application_id"]) == (
        "in_repair",
        "damaged",
        None,
    )
    assert [(h["move"], h["application_id"]) for h in item["history"]] == [
        ("register", None),
        ("reserve", app["id"]),
        ("issue", app["id"]),
        ("return_damaged", app["id"]),
    ]
    after = await stock_of_laptops()
    assert (after["available"], after["in_repair"]) == (
        before["available"] - 1,
        before["in_repair"] + 1,
    )

    # Repaired, reserved for a new application, which is withdrawn: back on the shelf.
    item = await ok(
        await c.post(
            f"{item_url}/moves",
            json={"version": item["version"], "move": "repaired"},
            headers=a.staff,
        )
    )
    assert (item["state"], item["condition"]) == ("available", "good")
    again = await submitted(stack, a)
    again = await staff_post(stack, a, again, "decision", {"decision": "grant"})
    again = await staff_post(stack, a, again, "item-reservation", {"item_id": laptop["item_id"]})
    await ok(
        await c.post(
            f"{APPS}/{again['id']}/withdraw", json={"version": again["version"]}, headers=a.parent
        )
    )
    item = await ok(await c.get(item_url, headers=a.staff))
    assert (item["state"], item["application_id"]) == ("available", None)
    assert [h["move"] for h in item["history"]][-3:] == ["repaired", "reserve", "release"]
    assert await stock_of_laptops() == before


async def test_a_purged_application_leaves_its_item_history_without_the_learner(
    stack: Stack, actors: Actors
) -> None:
    """Retention deletes the application; the register keeps the item's
    history (it needs it) with the application's link taken out."""
    a, c = actors, stack.applications.client
    p = f"P{uuid.uuid4().hex[:6].upper()}"
    await ok(await c.post(f"{REG}/imports", json=upload(CSV.format(p=p)), headers=a.staff))
    laptop = await ok(await c.get(f"{REG}/scan", params={"number": f"{p}-0002"}, headers=a.staff))
    app = await submitted(stack, a)
    app = await staff_post(stack, a, app, "decision", {"decision": "grant"})
    app = await staff_post(stack, a, app, "item-reservation", {"item_id": laptop["item_id"]})
    app = await ok(
        await c.post(
            f"{APPS}/{app['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=a.parent,
        )
    )
    app = await staff_post(stack, a, app, "return", {"condition": "good"})
    item_url = f"{REG}/items/{laptop['item_id']}"
    lent = await ok(await c.get(item_url, headers=a.staff))
    assert app["id"] in {h["application_id"] for h in lent["history"]}

    await tell(
        stack,
        PurgeOrdered(
            producer=ServiceName.RETENTION,
            correlation_id="test-purge",
            payload=PurgeOrderedPayload(
                order_id=uuid.uuid4(),
                subject=PurgeSubject(kind=PurgeSubjectKind.APPLICATION, id=app["id"]),
                owners=(ServiceName.APPLICATIONS,),
                ordered_at=dt.datetime.now(dt.UTC),
                attempt=1,
            ),
        ),
    )

    async def forgotten() -> dict[str, Any] | None:
        item = await ok(await c.get(item_url, headers=a.staff))
        return item if all(h["application_id"] is None for h in item["history"]) else None

    item = await eventually(forgotten, timeout=30)
    assert {h["why"] for h in item["history"][1:]} == {""}  # not even its reference
    assert [h["move"] for h in item["history"]] == [h["move"] for h in lent["history"]]
    assert item["state"] == "available"
    gone = await c.get(f"{APPS}/{app['id']}", headers=a.parent)
    assert gone.status_code == 404


async def test_a_stocktake_finds_the_item_that_is_missing(stack: Stack, actors: Actors) -> None:
    a, c = actors, stack.applications.client
    p = f"S{uuid.uuid4().hex[:6].upper()}"
    await ok(await c.post(f"{REG}/imports", json=upload(CSV.format(p=p)), headers=a.staff))
    takes = f"{REG}/stocktakes"
    take = await ok(await c.post(takes, headers=a.staff), 201)
    mine = {i["inventory_number"] for i in take["items"]} & {f"{p}-000{n}" for n in (1, 2, 3)}
    assert mine == {f"{p}-0001", f"{p}-0002", f"{p}-0003"}
    body = await refused(await c.post(takes, headers=a.staff), 409, "stocktake_open")
    assert body["extra"]["stocktake_id"] == take["stocktake_id"]

    url = f"{takes}/{take['stocktake_id']}"
    # One scanned by its inventory number, one typed by its serial number.
    await ok(await c.post(f"{url}/seen", json={"number": f"{p}-0001"}, headers=a.staff))
    take = await ok(
        await c.post(f"{url}/seen", json={"number": f" {p.lower()}-sn3"}, headers=a.staff)
    )
    await refused(
        await c.post(f"{url}/seen", json={"number": "NO-SUCH-ITEM"}, headers=a.staff),
        404,
        "item_not_found",
    )
    await refused(
        await c.post(f"{url}/finish", json={"version": take["version"] - 1}, headers=a.staff),
        409,
        "stale_version",
    )
    done = await ok(
        await c.post(f"{url}/finish", json={"version": take["version"]}, headers=a.staff)
    )
    assert done["state"] == "finished"
    assert done["finished_by"] == "Ūna Šķēle"
    missing = [
        i["inventory_number"] for i in done["not_seen"] if i["inventory_number"].startswith(p)
    ]
    assert missing == [f"{p}-0002"]
    seen = {i["inventory_number"]: i["seen_by"] for i in done["items"]}
    assert seen[f"{p}-0001"] == "Ūna Šķēle"
    await refused(
        await c.post(f"{url}/seen", json={"number": f"{p}-0002"}, headers=a.staff),
        409,
        "stocktake_finished",
    )
    listed = await ok(await c.get(takes, headers=a.staff))
    assert [(s["stocktake_id"], s["state"]) for s in listed["items"]][:1] == [
        (take["stocktake_id"], "finished")
    ]
    await refused(await c.get(url, headers=a.other_staff), 404, "stocktake_not_found")

    # The report as a PDF, from what the page shows.
    report = {
        "institution_name": "Daugavpils 1. pamatskola",
        "started_at": done["started_at"],
        "started_by": done["started_by"],
        "finished_at": done["finished_at"],
        "finished_by": done["finished_by"],
        "items": [
            {k: i[k] for k in ("inventory_number", "serial_number", "model", "seen_at", "seen_by")}
            for i in done["items"]
        ],
    }
    r = await stack.documents.client.post(
        "/api/v1/documents/stocktake-reports", json=report, headers=a.staff
    )
    assert r.status_code == 200, r.text
    pdf = (await pdf_lines(r.content)).split("Redzēti")
    assert "Nav redzēti" in pdf[0]
    assert f"{p}-0002" in pdf[0]  # in the table of items not seen, before the seen ones
    assert f"{p}-0001" in pdf[-1]


async def test_staff_print_a_sheet_of_labels(stack: Stack, actors: Actors) -> None:
    a = actors
    body = {
        "institution_name": "Daugavpils 1. pamatskola",
        "symbology": "code128",
        "labels": [
            {"inventory_number": f"INV-{n:04d}", "model": "Lenovo 300e Ļ"} for n in range(30)
        ],
    }
    r = await stack.documents.client.post(
        "/api/v1/documents/item-labels", json=body, headers=a.staff
    )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    out = await pdf_lines(r.content)
    assert "INV-0000" in out
    assert "INV-0029" in out  # 30 labels: two sheets
    assert "Lenovo 300e Ļ" in out
    info = await asyncio.to_thread(
        subprocess.run, ["pdfinfo", "-"], input=r.content, capture_output=True, check=True
    )
    assert re.search(r"^Pages:\s+2$", info.stdout.decode(), re.MULTILINE)
    refused_body = {**body, "labels": []}
    await refused(
        await stack.documents.client.post(
            "/api/v1/documents/item-labels", json=refused_body, headers=a.staff
        ),
        422,
        "validation_error",
    )
