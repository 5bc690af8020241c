"""Who may call what: every endpoint of every service, for every kind of caller,
the status it answers, as one table. The table is checked against the services'
OpenAPI documents, so an endpoint without a row fails this test.

Everything is about one child (the data subject, 12 years old): "self" is the
child, "rep" the parent who represents the child now (and who applied for the
child), "rep_expired" a former guardian whose custody ended yesterday,
"unrelated" a citizen with no link, "staff" staff of the child's institution and
"staff_other" staff of another institution. The three first columns send no
token, an expired token and a token signed with a key the gateway never had.

Changes are sent with a stale ``version`` (999): a caller who may act gets
``409 stale_version`` and nothing changes, so every row runs on the same data.
404 is the answer for another person's resource, so existence does not leak."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edu_registry_reader.domain.records import (
    PersonRecord,
    RepresentationKind,
    RepresentationRecord,
    RepresentationSource,
)
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer, eventually

from tests.conftest import Stack
from tests.flows import APPS, STAFF, make_actors, ok, submitted
from tests.world import valid_code, years_ago

CALLERS = (
    "none",
    "expired",
    "forged",
    "self",
    "unrelated",
    "rep",
    "rep_expired",
    "staff",
    "staff_other",
)
STALE = 999
REGISTER = "/api/v1/staff/item-register"
# The reasons a refused token must carry, so a client can tell what to do.
UNAUTHENTICATED = {
    "none": {"missing_token"},
    "expired": {"token_expired"},
    "forged": {"unknown_signing_key", "invalid_signature"},
}


@dataclass
class Ctx:
    child: str
    app_id: str
    document_id: str
    institution_id: str
    incident_id: str = str(uuid.uuid4())


Request = Callable[[Ctx], tuple[str, dict[str, Any]]]  # path, httpx keyword arguments


def _stale(**body: Any) -> dict[str, Any]:
    return {"json": {"version": STALE, **body}}


def _citizen_step(step: str, body: dict[str, Any]) -> Request:
    return lambda c: (f"{APPS}/{c.app_id}/{step}", _stale(**body))


def _staff_action(action: str, body: dict[str, Any]) -> Request:
    return lambda c: (f"{STAFF}/{c.app_id}/{action}", _stale(**body))


def _empty_body(path: str) -> Request:
    return lambda c: (path, {"json": {}})


def _fixed(path: str) -> Request:
    return lambda c: (path, {})


# (service, method, OpenAPI path) → (request, expected status per caller, in CALLERS order)
MATRIX: dict[tuple[str, str, str], tuple[Request, tuple[int, ...]]] = {
    # registry-reader: My data
    ("registry", "POST", "/api/v1/terms/my-data/acceptance"): (
        lambda c: ("/api/v1/terms/my-data/acceptance", {"json": {}}),
        (401, 401, 401, 201, 201, 201, 201, 403, 403),
    ),
    ("registry", "GET", "/api/v1/represented-persons"): (
        lambda c: ("/api/v1/represented-persons", {}),
        (401, 401, 401, 200, 200, 200, 200, 403, 403),
    ),
    ("registry", "GET", "/api/v1/my-data"): (
        lambda c: ("/api/v1/my-data", {}),
        (401, 401, 401, 200, 200, 200, 200, 403, 403),
    ),
    ("registry", "POST", "/api/v1/my-data/query"): (
        lambda c: ("/api/v1/my-data/query", {"json": {"person_code": c.child}}),
        (401, 401, 401, 200, 403, 200, 403, 403, 403),
    ),
    ("registry", "POST", "/api/v1/my-data/pdf"): (
        lambda c: ("/api/v1/my-data/pdf", {"json": {"person_code": c.child}}),
        (401, 401, 401, 202, 403, 202, 403, 403, 403),
    ),
    ("registry", "GET", "/api/v1/my-data/access-log"): (
        lambda c: ("/api/v1/my-data/access-log", {}),
        (401, 401, 401, 200, 200, 200, 200, 403, 403),
    ),
    # registry-reader: wizard lookups
    ("registry", "POST", "/api/v1/lookups/learner-institutions"): (
        lambda c: ("/api/v1/lookups/learner-institutions", {"json": {"learner_code": c.child}}),
        (401, 401, 401, 200, 403, 200, 403, 403, 403),
    ),
    ("registry", "GET", "/api/v1/lookups/employees/me/institutions"): (
        lambda c: ("/api/v1/lookups/employees/me/institutions", {}),
        (401, 401, 401, 200, 200, 200, 200, 403, 403),
    ),
    ("registry", "GET", "/api/v1/lookups/institutions/{institution_id}"): (
        lambda c: (f"/api/v1/lookups/institutions/{c.institution_id}", {}),
        (401, 401, 401, 200, 200, 200, 200, 200, 200),
    ),
    ("registry", "GET", "/api/v1/lookups/institutions/{institution_id}/resource-offers"): (
        lambda c: (f"/api/v1/lookups/institutions/{c.institution_id}/resource-offers", {}),
        (401, 401, 401, 200, 200, 200, 200, 200, 200),
    ),
    (
        "registry",
        "POST",
        "/api/v1/lookups/institutions/{institution_id}/resource-offers/for-learner",
    ): (
        lambda c: (
            f"/api/v1/lookups/institutions/{c.institution_id}/resource-offers/for-learner",
            {"json": {"learner_code": c.child}},
        ),
        (401, 401, 401, 200, 403, 200, 403, 403, 403),
    ),
    # applications: citizens (the parent applied for the child)
    ("applications", "POST", "/api/v1/terms/resource-applications/acceptance"): (
        lambda c: ("/api/v1/terms/resource-applications/acceptance", {"json": {}}),
        (401, 401, 401, 201, 201, 201, 201, 403, 403),
    ),
    ("applications", "GET", "/api/v1/terms/resource-applications"): (
        lambda c: ("/api/v1/terms/resource-applications", {}),
        (401, 401, 401, 200, 200, 200, 200, 403, 403),
    ),
    ("applications", "GET", "/api/v1/applications"): (
        lambda c: (APPS, {}),
        (401, 401, 401, 200, 200, 200, 200, 403, 403),
    ),
    ("applications", "POST", "/api/v1/applications"): (
        lambda c: (APPS, {"json": {"role": "parent_or_guardian", "learner_code": c.child}}),
        (401, 401, 401, 403, 403, 201, 403, 403, 403),
    ),
    ("applications", "GET", "/api/v1/applications/{app_id}"): (
        lambda c: (f"{APPS}/{c.app_id}", {}),
        (401, 401, 401, 404, 404, 200, 404, 403, 403),
    ),
    **{
        ("applications", method, f"/api/v1/applications/{{app_id}}/{step}"): (
            _citizen_step(step, body),
            (401, 401, 401, 404, 404, 409, 404, 403, 403),
        )
        for method, step, body in (
            ("PUT", "institution", {"institution_id": "X-1"}),
            ("PUT", "social-status", {"socially_supported": False}),
            ("PUT", "resource", {"offer_id": "X-1-LAPTOP"}),
            ("PUT", "documents", {"acknowledged": []}),
            ("PATCH", "contact", {"phone": "+37126123456", "email": "a@example.lv"}),
            ("POST", "submit", {}),
            ("POST", "withdraw", {}),
            ("POST", "receipt-confirmation", {}),
            ("POST", "incidents", {"kind": "lost", "description": "Pazaudēts autobusā."}),
        )
    },
    # applications: staff of the institution the application is addressed to
    ("applications", "GET", "/api/v1/staff/applications"): (
        lambda c: (STAFF, {}),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    ("applications", "GET", "/api/v1/staff/applications/{app_id}"): (
        lambda c: (f"{STAFF}/{c.app_id}", {}),
        (401, 401, 401, 403, 403, 403, 403, 200, 404),
    ),
    **{
        ("applications", "POST", f"/api/v1/staff/applications/{{app_id}}/{action}"): (
            _staff_action(action, body),
            (401, 401, 401, 403, 403, 403, 403, 409, 404),
        )
        for action, body in (
            ("decision", {"decision": "grant"}),
            ("return", {"condition": "good"}),
            ("item-reservation", {"item_id": str(uuid.uuid4())}),
        )
    },
    ("applications", "POST", "/api/v1/staff/applications/{app_id}/incidents/{incident_id}/close"): (
        lambda c: (f"{STAFF}/{c.app_id}/incidents/{c.incident_id}/close", _stale(note="Atrasts")),
        (401, 401, 401, 403, 403, 403, 403, 409, 404),
    ),
    ("applications", "GET", "/api/v1/staff/lending-settings"): (
        lambda c: ("/api/v1/staff/lending-settings", {}),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    ("applications", "PUT", "/api/v1/staff/lending-settings"): (
        lambda c: ("/api/v1/staff/lending-settings", _stale(accepting_applications=True)),
        (401, 401, 401, 403, 403, 403, 403, 409, 409),
    ),
    ("applications", "GET", "/api/v1/staff/lending-settings/history"): (
        lambda c: ("/api/v1/staff/lending-settings/history", {}),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    **{
        ("applications", "GET", path): (
            _fixed(path),
            (401, 401, 401, 403, 403, 403, 403, 200, 200),
        )
        for path in (
            "/api/v1/staff/inbox",
            "/api/v1/staff/inbox/export.csv",
            "/api/v1/staff/inbox/export.xlsx",
            "/api/v1/staff/issued-items",
            "/api/v1/staff/issued-items/export.csv",
        )
    },
    ("applications", "POST", "/api/v1/staff/inbox/bulk-grant"): (
        lambda c: (
            "/api/v1/staff/inbox/bulk-grant",
            {"json": {"applications": [{"id": c.app_id, "version": STALE}]}},
        ),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    # applications: the school's item register (staff of any school see their own)
    **{
        ("applications", "GET", f"{REGISTER}/{path}"): (
            _fixed(f"{REGISTER}/{path}"),
            (401, 401, 401, 403, 403, 403, 403, 200, 200),
        )
        for path in ("items", "stock", "export.csv")
    },
    ("applications", "GET", f"{REGISTER}/scan"): (
        lambda c: (f"{REGISTER}/scan", {"params": {"number": "NO-SUCH-ITEM"}}),
        (401, 401, 401, 403, 403, 403, 403, 404, 404),
    ),
    ("applications", "GET", f"{REGISTER}/items/{{item_id}}"): (
        lambda c: (f"{REGISTER}/items/{c.incident_id}", {}),
        (401, 401, 401, 403, 403, 403, 403, 404, 404),
    ),
    ("applications", "POST", f"{REGISTER}/items/{{item_id}}/moves"): (
        lambda c: (f"{REGISTER}/items/{c.incident_id}/moves", _stale(move="write_off")),
        (401, 401, 401, 403, 403, 403, 403, 404, 404),
    ),
    ("applications", "GET", f"{REGISTER}/stocktakes"): (
        _fixed(f"{REGISTER}/stocktakes"),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    # Starting one writes (one open stocktake per school, each school its own).
    ("applications", "POST", f"{REGISTER}/stocktakes"): (
        _fixed(f"{REGISTER}/stocktakes"),
        (401, 401, 401, 403, 403, 403, 403, 201, 201),
    ),
    ("applications", "GET", f"{REGISTER}/stocktakes/{{stocktake_id}}"): (
        lambda c: (f"{REGISTER}/stocktakes/{c.incident_id}", {}),
        (401, 401, 401, 403, 403, 403, 403, 404, 404),
    ),
    ("applications", "POST", f"{REGISTER}/stocktakes/{{stocktake_id}}/seen"): (
        lambda c: (f"{REGISTER}/stocktakes/{c.incident_id}/seen", {"json": {"number": "NO-SUCH"}}),
        (401, 401, 401, 403, 403, 403, 403, 404, 404),
    ),
    ("applications", "POST", f"{REGISTER}/stocktakes/{{stocktake_id}}/finish"): (
        lambda c: (f"{REGISTER}/stocktakes/{c.incident_id}/finish", _stale()),
        (401, 401, 401, 403, 403, 403, 403, 404, 404),
    ),
    # An incomplete body: who may register items gets 422, and nothing is written.
    **{
        ("applications", "POST", f"{REGISTER}/{path}"): (
            _empty_body(f"{REGISTER}/{path}"),
            (401, 401, 401, 403, 403, 403, 403, 422, 422),
        )
        for path in ("items", "imports")
    },
    # documents (the printout the parent asked for about the child)
    ("documents", "GET", "/api/v1/documents"): (
        lambda c: ("/api/v1/documents", {}),
        (401, 401, 401, 200, 200, 200, 200, 200, 200),
    ),
    ("documents", "GET", "/api/v1/documents/{document_id}"): (
        lambda c: (f"/api/v1/documents/{c.document_id}", {}),
        (401, 401, 401, 404, 404, 200, 404, 404, 404),
    ),
    ("documents", "GET", "/api/v1/documents/{document_id}/pdf"): (
        lambda c: (f"/api/v1/documents/{c.document_id}/pdf", {}),
        (401, 401, 401, 404, 404, 200, 404, 404, 404),
    ),
    ("documents", "GET", "/api/v1/documents/receipt-documents"): (
        lambda c: ("/api/v1/documents/receipt-documents", {}),
        (401, 401, 401, 200, 200, 200, 200, 200, 200),
    ),
    ("documents", "GET", "/api/v1/documents/receipt-documents/{code}/preview"): (
        lambda c: ("/api/v1/documents/receipt-documents/handover_act/preview", {}),
        (401, 401, 401, 200, 200, 200, 200, 200, 200),
    ),
    ("documents", "POST", "/api/v1/documents/item-labels"): (
        lambda c: (
            "/api/v1/documents/item-labels",
            {"json": {"institution_name": "Skola", "labels": [{"inventory_number": "INV-1"}]}},
        ),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    ("documents", "POST", "/api/v1/documents/stocktake-reports"): (
        lambda c: (
            "/api/v1/documents/stocktake-reports",
            {
                "json": {
                    "institution_name": "Skola",
                    "started_at": "2026-09-01T08:00:00Z",
                    "started_by": "Anna",
                    "items": [],
                }
            },
        ),
        (401, 401, 401, 403, 403, 403, 403, 200, 200),
    ),
    ("documents", "GET", "/api/v1/documents/verify/{number}"): (
        lambda c: ("/api/v1/documents/verify/PNA-2026-000001", {"params": {"sha256": "0" * 64}}),
        (401, 401, 401, 200, 200, 200, 200, 200, 200),
    ),
}


def _matrix_rows() -> list[tuple[str, str, str]]:
    return sorted(MATRIX)


@dataclass
class Callers:
    headers: dict[str, dict[str, str]]


async def _callers(stack: Stack, gateway: GatewayKeys, tmp_path: Path) -> tuple[Ctx, Callers]:
    actors = await make_actors(stack, gateway)
    w = actors.world
    today = dt.date.today()
    former = valid_code(years_ago(60))
    registry_db = stack.db(stack.registry_settings)
    for record in (
        PersonRecord(personal_code=former, given_name="Ilze", family_name="Kalniņa"),
        RepresentationRecord(
            representative_code=former,
            represented_code=w.child.code,
            basis=RepresentationKind.CUSTODY,
            source=RepresentationSource.ORPHANS_COURT,
            valid_from=today - dt.timedelta(days=400),
            valid_to=today - dt.timedelta(days=1),
        ),
    ):
        await registry_db[record.COLLECTION].insert_one(record.to_doc())

    def citizen(code: str) -> dict[str, str]:
        return bearer(gateway.mint(code, given_name="Test", family_name="Persona"))

    forger = GatewayKeys(tmp_path / "forger").ensure()
    headers = {
        "none": {},
        "expired": bearer(gateway.mint(w.parent.code, ttl=dt.timedelta(minutes=-5))),
        "forged": bearer(forger.mint(w.parent.code)),
        "self": citizen(w.child.code),
        "unrelated": actors.stranger,
        "rep": actors.parent,
        "rep_expired": citizen(former),
        "staff": actors.staff,
        "staff_other": actors.other_staff,
    }
    # Every citizen has accepted both terms, so the table shows access, not terms.
    for name in ("self", "unrelated", "rep", "rep_expired"):
        await ok(
            await stack.registry.client.post(
                "/api/v1/terms/my-data/acceptance", json={}, headers=headers[name]
            ),
            201,
        )
        await ok(
            await stack.applications.client.post(
                "/api/v1/terms/resource-applications/acceptance", json={}, headers=headers[name]
            ),
            201,
        )
    app = await submitted(stack, actors)
    r = await stack.registry.client.post(
        "/api/v1/my-data/pdf", json={"person_code": w.child.code}, headers=actors.parent
    )
    document_id = (await ok(r, 202))["document_id"]

    async def rendered() -> bool:
        r = await stack.documents.client.get(
            f"/api/v1/documents/{document_id}", headers=actors.parent
        )
        return r.status_code == 200

    await eventually(rendered, timeout=30)
    return Ctx(w.child.code, app["id"], document_id, w.institution_id), Callers(headers)


async def _operations(stack: Stack) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for service, running in (
        ("registry", stack.registry),
        ("applications", stack.applications),
        ("documents", stack.documents),
    ):
        document = (await running.client.get("/schema/openapi.json")).json()
        for path, item in document["paths"].items():
            for method in item:
                if method in ("get", "post", "put", "patch", "delete"):
                    found.add((service, method.upper(), path))
    return found


async def test_every_documented_operation_has_a_row(stack: Stack) -> None:
    documented = await _operations(stack)
    assert sorted(documented - set(MATRIX)) == [], "operations without a row in MATRIX"
    assert sorted(set(MATRIX) - documented) == [], "rows for operations that do not exist"


async def test_authorization_matrix(stack: Stack, gateway: GatewayKeys, tmp_path: Path) -> None:
    ctx, callers = await _callers(stack, gateway, tmp_path)
    clients = {
        "registry": stack.registry.client,
        "applications": stack.applications.client,
        "documents": stack.documents.client,
    }
    wrong: list[str] = []
    actual: dict[tuple[str, str, str], tuple[int, ...]] = {}
    for key in _matrix_rows():
        service, method, _ = key
        build, expected = MATRIX[key]
        statuses = []
        for caller in CALLERS:
            path, kwargs = build(ctx)
            headers = {**kwargs.pop("headers", {}), **callers.headers[caller]}
            r = await clients[service].request(method, path, headers=headers, **kwargs)
            statuses.append(r.status_code)
            if caller in UNAUTHENTICATED and r.status_code == 401:
                reason = r.json()["reason"]
                if reason not in UNAUTHENTICATED[caller]:
                    wrong.append(f"{method} {key[2]}: {caller} answered 401 {reason}")
        actual[key] = tuple(statuses)
        if tuple(statuses) != expected:
            diff = [
                f"{c}: {e}→{a}"
                for c, e, a in zip(CALLERS, expected, statuses, strict=True)
                if e != a
            ]
            wrong.append(f"{method} {key[2]}: {', '.join(diff)}")
    if os.environ.get("EDU_MATRIX_DISCOVER"):
        for key, found in actual.items():
            print(key, found)
    assert wrong == [], "\n".join(wrong)
