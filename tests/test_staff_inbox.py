"""The staff inbox and issued-items lists against the real services: counts
per status, filters, diacritic-blind search, sorting, pages from the
database, CSV/XLSX exports, bulk grant, and another school's staff seeing
nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from edu_contracts.registry_api import ProgrammeType
from edu_registry_reader.domain.records import EnrolmentRecord
from openpyxl import load_workbook

from tests.conftest import Stack
from tests.flows import (
    APPS,
    REGISTER,
    Actors,
    ok,
    ready_with_item,
    refused,
    register_items,
    staff_post,
    submitted,
)

INBOX = "/api/v1/staff/inbox"
ITEMS = "/api/v1/staff/issued-items"


async def inbox(stack: Stack, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    return await ok(await stack.applications.client.get(INBOX, params=params, headers=headers))


async def test_inbox_filters_search_sort_pages_and_exports(stack: Stack, actors: Actors) -> None:
    a, c = actors, stack.applications.client
    w = a.world
    child_laptop = await submitted(stack, a)
    employee_laptop = await submitted(stack, a, headers=a.employee_citizen, role="employee")

    page = await inbox(stack, a.staff)
    assert page["counts"] == {"submitted": 2}
    assert page["total"] == 2
    assert [r["id"] for r in page["items"]] == [employee_laptop["id"], child_laptop["id"]]
    row = page["items"][1]
    assert row["learner_name"] == "Jānis Bērziņš"
    assert row["status_label"] == "Iesniegts"
    assert row["resource_type_label"] == "Portatīvais dators"
    assert row["submitted_at"] is not None
    assert "personal_code" not in str(page)

    # Search ignores case and diacritics, both ways.
    found = await inbox(stack, a.staff, q="BERZINS")
    assert [r["id"] for r in found["items"]] == [child_laptop["id"]]
    found = await inbox(stack, a.staff, q="škēle")
    assert [r["id"] for r in found["items"]] == [employee_laptop["id"]]
    assert (await inbox(stack, a.staff, q="nobody"))["total"] == 0
    # ... and finds a reference as a person reads it out (case, spaces, O for 0).
    assert child_laptop["reference"] != employee_laptop["reference"]
    spoken = child_laptop["reference"].lower().replace("-", " ").replace("0", "o")
    found = await inbox(stack, a.staff, q=spoken)
    assert [r["id"] for r in found["items"]] == [child_laptop["id"]]
    assert found["items"][0]["reference"] == child_laptop["reference"]
    # Filters combine; counts follow every filter but the status one.
    assert row["class_group"] == "6.b"  # from the registers' enrolment, chosen in step 2
    in_class = await inbox(stack, a.staff, class_group="6.b")
    assert [r["id"] for r in in_class["items"]] == [child_laptop["id"]]
    assert (await inbox(stack, a.staff, class_group="9.a"))["total"] == 0
    assert (await inbox(stack, a.staff, resource_type="tablet"))["total"] == 0
    assert (await inbox(stack, a.staff, socially_supported="false"))["total"] == 2
    assert (await inbox(stack, a.staff, socially_supported="true"))["counts"] == {}
    only_granted = await inbox(stack, a.staff, status="granted")
    assert only_granted["total"] == 0
    assert only_granted["counts"] == {"submitted": 2}
    assert (await inbox(stack, a.staff, incident="open"))["total"] == 0
    # Sorting and pages come from the database.
    by_name = await inbox(stack, a.staff, sort="name")
    assert [r["learner_name"] for r in by_name["items"]] == ["Jānis Bērziņš", "Ūna Šķēle"]
    second = await inbox(stack, a.staff, sort="oldest", limit=1, offset=1)
    assert [r["id"] for r in second["items"]] == [employee_laptop["id"]]
    assert second["total"] == 2
    # Bad input is refused with a reason.
    await refused(
        await c.get(INBOX, params={"status": "draft"}, headers=a.staff), 422, "drafts_not_visible"
    )
    await refused(
        await c.get(INBOX, params={"incident": "closed"}, headers=a.staff),
        422,
        "bad_incident_filter",
    )
    r = await c.get(INBOX, params={"sort": "shoe-size"}, headers=a.staff)
    assert r.status_code == 422, r.text

    # CSV export of the filtered list: Latvian headers, no personal codes.
    r = await c.get(f"{INBOX}/export.csv", params={"q": "berzins"}, headers=a.staff)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Iesnieguma numurs", "Iesniegts", "Statuss", "Izglītojamais"]
    assert len(rows) == 2
    assert rows[1][0] == child_laptop["reference"]
    assert rows[1][2] == "Iesniegts"
    assert rows[1][3] == "Jānis Bērziņš"
    assert rows[1][4] == "6.b"
    for code in (w.child.code, w.parent.code, w.employee.code):
        assert code not in text
    # XLSX export of the whole list.
    r = await c.get(f"{INBOX}/export.xlsx", headers=a.staff)
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][3] == "Izglītojamais"
    assert {v[3] for v in values[1:]} == {"Jānis Bērziņš", "Ūna Šķēle"}

    # Another school's staff see none of it.
    other = await inbox(stack, a.other_staff)
    assert other["total"] == 0
    assert other["counts"] == {}
    r = await c.get(f"{INBOX}/export.csv", headers=a.other_staff)
    assert len(list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))) == 1
    await refused(await c.get(INBOX, headers=a.parent), 403, "staff_only")


async def test_bulk_grant_then_issue_and_the_issued_items_list(
    stack: Stack, actors: Actors
) -> None:
    a, c = actors, stack.applications.client
    first = await submitted(stack, a)
    second = await submitted(stack, a, headers=a.employee_citizen, role="employee")
    await register_items(stack, a.staff, 2)  # a bulk grant grants no more than is free

    # Another school cannot grant ours: reported as not found, nothing changes.
    theirs = await ok(
        await c.post(
            f"{INBOX}/bulk-grant",
            json={"applications": [{"id": first["id"], "version": first["version"]}]},
            headers=a.other_staff,
        )
    )
    assert theirs["granted"] == 0
    assert theirs["outcomes"][0]["reason"] == "application_not_found"

    # One based on an old version is refused; the other is granted.
    result = await ok(
        await c.post(
            f"{INBOX}/bulk-grant",
            json={
                "applications": [
                    {"id": first["id"], "version": first["version"]},
                    {"id": second["id"], "version": second["version"] - 1},
                ]
            },
            headers=a.staff,
        )
    )
    assert result["granted"] == 1
    assert result["refused"] == 1
    ok_one, stale = result["outcomes"]
    assert ok_one["granted"] is True
    assert ok_one["status"] == "granted"
    assert stale["reason"] == "stale_version"
    page = await inbox(stack, a.staff)
    assert page["counts"] == {"granted": 1, "submitted": 1}
    # Granting it again is an illegal transition, reported, not an error.
    again = await ok(
        await c.post(
            f"{INBOX}/bulk-grant",
            json={"applications": [{"id": first["id"], "version": ok_one["version"]}]},
            headers=a.staff,
        )
    )
    assert again["outcomes"][0]["reason"] == "illegal_transition"
    empty = await c.post(f"{INBOX}/bulk-grant", json={"applications": []}, headers=a.staff)
    assert empty.status_code in (400, 422)

    # Ready for issue, receipt confirmed by the parent: the item list shows who has what.
    app = await ok(await c.get(f"/api/v1/staff/applications/{first['id']}", headers=a.staff))
    app, item = await ready_with_item(stack, a, app)
    ready = await ok(await c.get(ITEMS, params={"state": "ready"}, headers=a.staff))
    assert [r["application_id"] for r in ready["items"]] == [first["id"]]
    app = await ok(
        await c.post(
            f"{APPS}/{first['id']}/receipt-confirmation",
            json={"version": app["version"]},
            headers=a.parent,
        )
    )
    assert app["status"] == "issued"
    issued = await ok(await c.get(ITEMS, params={"state": "issued"}, headers=a.staff))
    row = issued["items"][0]
    assert row["item"] == {  # the register's item, as the act prints it
        "model": item["model"],
        "inventory_number": item["inventory_number"],
        "serial_number": item["serial_number"],
        "item_id": item["item_id"],
    }
    assert row["learner_name"] == "Jānis Bērziņš"
    assert row["issued_at"] is not None
    assert (await ok(await c.get(ITEMS, params={"state": "returned"}, headers=a.staff)))[
        "total"
    ] == 0
    export = await c.get(f"{ITEMS}/export.csv", headers=a.staff)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][4:7] == ["Modelis", "Inventāra numurs", "Sērijas numurs"]
    assert rows[1][4:7] == ["Lenovo ThinkPad E14", item["inventory_number"], item["serial_number"]]
    assert (await ok(await c.get(ITEMS, headers=a.other_staff)))["total"] == 0


async def bulk_grant(stack: Stack, headers: dict[str, str], *apps: dict[str, Any]) -> Any:
    targets = [{"id": app["id"], "version": app["version"]} for app in apps]
    return await ok(
        await stack.applications.client.post(
            f"{INBOX}/bulk-grant", json={"applications": targets}, headers=headers
        )
    )


async def laptop_line(stack: Stack, a: Actors) -> dict[str, Any]:
    stock = await ok(await stack.applications.client.get(f"{REGISTER}/stock", headers=a.staff))
    return next(
        s
        for s in stock["lines"]
        if (s["resource_type"], s["target_group"]) == ("laptop", "everyone")
    )


async def three_laptop_applications(stack: Stack, a: Actors) -> list[dict[str, Any]]:
    """The child's, the employee's and (enrolled at the school too) the adult
    learner's: three applications for the school's laptops."""
    w = a.world
    enrolment = EnrolmentRecord(
        learner_code=w.adult_learner.code,
        institution_id=w.institution_id,
        programme_name="Vakara vidusskola",
        programme_type=ProgrammeType.GENERAL_SECONDARY,
        class_group="12.v",
        enrolled_from=dt.date.today() - dt.timedelta(days=400),
    )
    await stack.db(stack.registry_settings)[EnrolmentRecord.COLLECTION].insert_one(
        enrolment.to_doc()
    )
    return [
        await submitted(stack, a),
        await submitted(stack, a, headers=a.employee_citizen, role="employee"),
        await submitted(stack, a, headers=a.adult, role="adult_learner"),
    ]


async def test_bulk_grant_stops_at_the_free_stock(stack: Stack, actors: Actors) -> None:
    """Three submitted, two laptops free: the first two (in the order given)
    are granted, the third is out_of_stock and left as it was."""
    a, c = actors, stack.applications.client
    apps = await three_laptop_applications(stack, a)
    await register_items(stack, a.staff, 2)
    await register_items(stack, a.staff, 3, "tablet", "everyone")  # another line: not laptops
    line = await laptop_line(stack, a)
    assert (line["available"], line["awaiting"], line["free"]) == (2, 0, 2)

    result = await bulk_grant(stack, a.staff, *apps)
    assert (result["granted"], result["refused"], result["out_of_stock"]) == (2, 1, 1)
    assert [(o["granted"], o["reason"]) for o in result["outcomes"]] == [
        (True, None),
        (True, None),
        (False, "out_of_stock"),
    ]
    last = await ok(await c.get(f"/api/v1/staff/applications/{apps[2]['id']}", headers=a.staff))
    assert (last["status"], last["version"]) == ("submitted", apps[2]["version"])
    line = await laptop_line(stack, a)
    assert (line["available"], line["awaiting"], line["free"]) == (2, 2, 0)
    assert (await inbox(stack, a.staff))["counts"] == {"granted": 2, "submitted": 1}


async def test_granted_applications_waiting_for_an_item_use_up_the_stock(
    stack: Stack, actors: Actors
) -> None:
    """A laptop promised to a granted application is not free, though still on
    the shelf; reserved for it, it is no longer available either; a new one
    in the register lets the next grant through."""
    a, c = actors, stack.applications.client
    child, employee, adult = await three_laptop_applications(stack, a)
    (laptop,) = await register_items(stack, a.staff, 1)
    child = await staff_post(stack, a, child, "decision", {"decision": "grant"})
    line = await laptop_line(stack, a)
    assert (line["available"], line["awaiting"], line["free"]) == (1, 1, 0)

    result = await bulk_grant(stack, a.staff, employee, adult)
    assert (result["granted"], result["out_of_stock"]) == (0, 2)

    child = await staff_post(stack, a, child, "item-reservation", {"item_id": laptop["item_id"]})
    assert child["status"] == "ready_for_issue"
    line = await laptop_line(stack, a)
    assert (line["available"], line["reserved"], line["awaiting"], line["free"]) == (0, 1, 0, 0)
    assert (await bulk_grant(stack, a.staff, employee))["out_of_stock"] == 1

    await register_items(stack, a.staff, 1)
    result = await bulk_grant(stack, a.staff, employee, adult)
    assert [o["reason"] for o in result["outcomes"]] == [None, "out_of_stock"]
    line = await laptop_line(stack, a)
    assert (line["available"], line["awaiting"], line["free"]) == (1, 1, 0)
    # An application that cannot be granted anyway is told why, not out_of_stock.
    stale = {"applications": [{"id": adult["id"], "version": adult["version"] + 1}]}
    body = await ok(await c.post(f"{INBOX}/bulk-grant", json=stale, headers=a.staff))
    assert body["outcomes"][0]["reason"] == "stale_version"
