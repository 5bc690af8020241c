"""The shared HTTP conventions, on every service's real server: no input
silently ignored (unknown query parameters and body fields, missing or non-JSON
bodies), one language negotiation, one pagination error, and ``person_code``
in the body of the printout and the data query, never in the address."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from edu_runtime.language import negotiate, parse_accept_language
from edu_tools.gateway import GatewayKeys
from edu_tools.testing import bearer, eventually

from tests.conftest import Stack
from tests.flows import APPS, STAFF, Actors, accept_terms, ok, refused

MY_DATA = "/api/v1/my-data"
TERMS = "/api/v1/terms/my-data/acceptance"


async def _accept_my_data_terms(stack: Stack, who: dict[str, str]) -> None:
    await ok(await stack.registry.client.post(TERMS, json={}, headers=who), 201)


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("registry", "/api/v1/represented-persons"),
        ("applications", APPS),
        ("documents", "/api/v1/documents/"),
        ("documents", "/api/v1/documents/receipt-documents"),
    ],
)
async def test_unknown_query_parameter_is_422_naming_it(
    stack: Stack, actors: Actors, service: str, path: str
) -> None:
    client = getattr(stack, service).client
    r = await client.get(path, params={"persn_code": "x"}, headers=actors.parent)
    body = await refused(r, 422, "unknown_query_parameter")
    assert body["extra"]["unknown"] == ["persn_code"]
    assert "persn_code" in body["detail"]


async def test_a_declared_query_parameter_is_accepted(stack: Stack, actors: Actors) -> None:
    await accept_terms(stack, actors.parent)
    r = await stack.applications.client.get(
        APPS, params={"limit": 5, "offset": 0, "lang": "en"}, headers=actors.parent
    )
    assert (await ok(r))["limit"] == 5


async def test_unknown_body_field_is_422_naming_it(stack: Stack, actors: Actors) -> None:
    r = await stack.registry.client.post(
        TERMS, json={"terms_version": "2026-01", "signed": True}, headers=actors.parent
    )
    body = await refused(r, 422, "unknown_field")
    assert "signed" in body["detail"]
    r = await stack.applications.client.post(
        "/api/v1/terms/resource-applications/acceptance",
        json={"accepted": True},
        headers=actors.parent,
    )
    assert "accepted" in (await refused(r, 422, "unknown_field"))["detail"]


async def test_missing_body_says_what_is_expected(stack: Stack, actors: Actors) -> None:
    r = await stack.registry.client.post(TERMS, headers=actors.parent)
    body = await refused(r, 422, "body_required")
    assert body["extra"] == {"expected": "TermsAcceptance"}
    assert "JSON object" in body["detail"]
    r = await stack.applications.client.post(APPS, headers=actors.parent)
    assert (await refused(r, 422, "body_required"))["extra"] == {"expected": "DraftRequest"}


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'"text"'])
async def test_non_json_or_non_object_body_is_422(
    stack: Stack, actors: Actors, content: bytes
) -> None:
    r = await stack.registry.client.post(
        TERMS, content=content, headers={**actors.parent, "Content-Type": "application/json"}
    )
    assert (await refused(r, 422, "body_not_json"))["extra"] == {"expected": "TermsAcceptance"}


async def test_printout_takes_person_code_from_the_body(
    stack: Stack, actors: Actors, gateway: GatewayKeys
) -> None:
    """The issue's case: a child's code in the body must print the child, not the caller."""
    w = actors.world
    await _accept_my_data_terms(stack, actors.parent)
    r = await stack.registry.client.post(
        f"{MY_DATA}/pdf", json={"person_code": w.child.code}, headers=actors.parent
    )
    document_id = (await ok(r, 202))["document_id"]

    async def rendered() -> dict[str, Any] | None:
        r = await stack.documents.client.get(
            f"/api/v1/documents/{document_id}", headers=actors.parent
        )
        return r.json() if r.status_code == 200 else None

    await eventually(rendered, timeout=30)
    # The printout was about the child: it is in the child's access log, read by the
    # parent, and not in the parent's own.
    child = bearer(gateway.mint(w.child.code))
    await _accept_my_data_terms(stack, child)
    child_log = await ok(await stack.registry.client.get(f"{MY_DATA}/access-log", headers=child))
    assert [(e["purpose"], e["viewer_is_self"]) for e in child_log["items"]] == [
        ("my_data_pdf", False)
    ]
    own_log = await ok(
        await stack.registry.client.get(f"{MY_DATA}/access-log", headers=actors.parent)
    )
    assert all(e["purpose"] != "my_data_pdf" for e in own_log["items"])

    # The old query form is refused, loudly, not ignored.
    r = await stack.registry.client.post(
        f"{MY_DATA}/pdf", params={"person_code": w.child.code}, json={}, headers=actors.parent
    )
    assert (await refused(r, 422, "unknown_query_parameter"))["extra"]["unknown"] == ["person_code"]
    r = await stack.registry.client.post(
        f"{MY_DATA}/pdf", json={"person_code": w.child.code, "x": 1}, headers=actors.parent
    )
    await refused(r, 422, "unknown_field")
    # Reading the data is the same: the caller's own with GET, anyone else's
    # only with the code in the body; the old query form is refused.
    r = await stack.registry.client.get(
        MY_DATA, params={"person_code": w.child.code}, headers=actors.parent
    )
    assert (await refused(r, 422, "unknown_query_parameter"))["extra"]["unknown"] == ["person_code"]
    r = await stack.registry.client.post(
        f"{MY_DATA}/query", json={"person_code": w.child.code}, headers=actors.parent
    )
    assert (await ok(r))["subject"]["personal_code"] == w.child.code


async def test_one_pagination_error_everywhere(stack: Stack, actors: Actors) -> None:
    await accept_terms(stack, actors.parent)
    await _accept_my_data_terms(stack, actors.parent)
    cases: list[tuple[httpx.AsyncClient, str, dict[str, str], dict[str, int | str]]] = [
        (stack.applications.client, APPS, actors.parent, {"limit": 0}),
        (stack.applications.client, STAFF, actors.staff, {"offset": -1}),
        (stack.applications.client, APPS, actors.parent, {"limit": "many"}),
        (stack.registry.client, f"{MY_DATA}/access-log", actors.parent, {"limit": 201}),
        (stack.documents.client, "/api/v1/documents/", actors.parent, {"limit": 101}),
        # Past MongoDB's 64-bit integers: was a 500 (found by the fuzzer).
        (stack.applications.client, STAFF, actors.staff, {"offset": 36893488147419103231}),
    ]
    for client, path, who, params in cases:
        await refused(await client.get(path, params=params, headers=who), 422, "bad_page")
    r = await stack.registry.client.get(
        f"{MY_DATA}/access-log", params={"limit": 200}, headers=actors.parent
    )
    assert (await ok(r))["limit"] == 200


def test_language_negotiation_is_one_rule() -> None:
    assert negotiate(None, None) == "lv"
    assert negotiate("EN", "lv") == "en"
    assert negotiate(None, "de-DE, en;q=0.5, lv;q=0.9") == "lv"
    assert negotiate(None, "en-GB;q=0.8, lv;q=0") == "en"
    assert parse_accept_language("de, fr") is None


async def test_every_service_negotiates_language_the_same_way(stack: Stack, actors: Actors) -> None:
    """The header that three versions used to read differently: lv preferred by quality."""
    header = {"Accept-Language": "en;q=0.3, lv;q=0.9"}
    r = await stack.registry.client.get(MY_DATA, headers={**actors.stranger, **header})
    assert (await refused(r, 403, "terms_not_accepted"))["detail"].startswith("Vispirms")
    r = await stack.documents.client.get(
        "/api/v1/documents/receipt-documents", headers={**actors.parent, **header}
    )
    docs = await ok(r)
    assert all(i["preview_path"].endswith("lang=lv") for i in docs["items"])
    for client, path in (
        (stack.registry.client, MY_DATA),
        (stack.documents.client, "/api/v1/documents/receipt-documents"),
        (stack.applications.client, APPS),
    ):
        r = await client.get(path, params={"lang": "de"}, headers=actors.parent)
        await refused(r, 422, "unsupported_language")


async def test_undeclared_method_is_405_with_allow_and_options_lists_every_method(
    stack: Stack, actors: Actors
) -> None:
    """RFC 9110: a 405 says what the path allows. ``/api/v1/applications`` has a
    GET and a POST (two Litestar routes): OPTIONS used to list only one."""
    r = await stack.applications.client.request("TRACE", APPS, headers=actors.parent)
    body = await refused(r, 405, "method_not_allowed")
    assert body["detail"]
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    r = await stack.applications.client.options(APPS)
    assert r.status_code == 204, r.text
    assert r.headers["allow"] == "GET, OPTIONS, POST"
    r = await stack.documents.client.request("DELETE", "/api/v1/documents/receipt-documents")
    assert r.status_code == 405
    assert "GET" in r.headers["allow"]


async def test_request_bodies_are_documented_closed_and_with_their_patterns(
    stack: Stack,
) -> None:
    """The documents say what the models enforce (edu_runtime.openapi_bodies)."""
    r = await stack.applications.client.get("/schema/openapi.json")
    schemas = (await ok(r))["components"]["schemas"]
    assert schemas["DraftRequest"]["additionalProperties"] is False
    contact = schemas["ContactStep"]
    assert contact["additionalProperties"] is False
    assert "pattern" in contact["properties"]["phone"]
    assert contact["properties"]["email"]["format"] == "email"
    learner = schemas["DraftRequest"]["properties"]["learner_code"]["anyOf"][0]
    assert learner["format"] == "lv-personal-code"
    r = await stack.documents.client.get("/schema/openapi.json")
    verify = (await ok(r))["paths"]["/api/v1/documents/verify/{number}"]["get"]
    params = {p["name"]: p["schema"] for p in verify["parameters"]}
    assert params["sha256"]["pattern"] == "^[0-9a-fA-F]{64}$"
    assert "pattern" in params["number"]


async def test_a_repeated_or_null_query_value_is_refused_not_dropped(
    stack: Stack, actors: Actors
) -> None:
    """Litestar kept the last of two values and read ``status=null`` as no
    filter; the documents allow neither, so neither is silently accepted."""
    r = await stack.applications.client.get(f"{APPS}?limit=5&limit=6", headers=actors.parent)
    body = await refused(r, 422, "repeated_query_parameter")
    assert body["extra"]["repeated"] == ["limit"]
    r = await stack.applications.client.get("/api/v1/staff/inbox?status=null", headers=actors.staff)
    body = await refused(r, 422, "validation_error")
    assert body["extra"]["invalid"] == ["status"]
    r = await stack.applications.client.get("/api/v1/staff/inbox?q=null", headers=actors.staff)
    await ok(r)
