"""``ApplicationsClient`` against a stand-in of the applications service: each
call's method, path and body as the service declares them, the language once
as ``Accept-Language`` (no ``?lang=``), and a body the contract refuses
refused before it is sent, as the service would refuse it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest
from edu_contracts.applications import ApplicantRole
from edu_contracts.applications_api import IncidentKind, SocialGroup
from edu_runtime.clients.applications import ApplicationsClient
from edu_runtime.service_client import ServiceClient, UpstreamProblem

APP_ID = uuid.uuid4()
NOW = "2026-12-04T10:00:00+00:00"
APPLICATION = {
    "id": str(APP_ID),
    "version": 2,
    "status": "draft",
    "created_at": NOW,
    "updated_at": NOW,
    "role": "adult_learner",
    "learner": {"full_name": "Anna"},
    "unknown_field": "ignored by the reader",
}


def _client(seen: list[httpx.Request]) -> ApplicationsClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/incidents"):
            return httpx.Response(201, json={"incident": {}, "application": APPLICATION})
        if request.method == "GET" and request.url.path == "/api/v1/applications":
            return httpx.Response(200, json={"items": [], "total": 0, "limit": 20, "offset": 40})
        if request.url.path.startswith("/api/v1/terms"):
            return httpx.Response(
                200, json={"terms_version": "1", "accepted": True, "checkbox_label": "x"}
            )
        return httpx.Response(200, json=APPLICATION)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://apps")
    return ApplicationsClient(ServiceClient("applications", http).acting_as("tok", "en"))


def _sent(request: httpx.Request) -> tuple[str, str, Any]:
    body = json.loads(request.content) if request.content else None
    return request.method, request.url.path, body


async def test_every_change_as_the_service_declares_it() -> None:
    seen: list[httpx.Request] = []
    apps = _client(seen)
    assert (await apps.terms()).accepted
    await apps.create_draft(ApplicantRole.ADULT_LEARNER)
    await apps.choose_institution(APP_ID, 2, "RIGA-01")
    await apps.set_social_status(APP_ID, 3, SocialGroup.NEEDY)
    await apps.set_social_status(APP_ID, 4, None)
    await apps.choose_resource(APP_ID, 5, "offer-1")
    await apps.acknowledge_documents(APP_ID, 6, [("act", "2026-01")])
    await apps.update_contact(APP_ID, 7, "26123456", "a@b.lv")
    await apps.submit(APP_ID, 8)
    await apps.withdraw(APP_ID, 9)
    await apps.confirm_receipt(APP_ID, 10)
    app = await apps.report_incident(APP_ID, 11, IncidentKind.LOST, "x" * 10, dt.date(2026, 8, 31))
    assert app.id == APP_ID
    one = f"/api/v1/applications/{APP_ID}"
    assert [_sent(r) for r in seen] == [
        ("GET", "/api/v1/terms/resource-applications", None),
        ("POST", "/api/v1/applications", {"role": "adult_learner"}),
        ("PUT", f"{one}/institution", {"version": 2, "institution_id": "RIGA-01"}),
        (
            "PUT",
            f"{one}/social-status",
            {"version": 3, "socially_supported": True, "social_group": "needy"},
        ),
        ("PUT", f"{one}/social-status", {"version": 4, "socially_supported": False}),
        ("PUT", f"{one}/resource", {"version": 5, "offer_id": "offer-1"}),
        (
            "PUT",
            f"{one}/documents",
            {"version": 6, "acknowledged": [{"code": "act", "version": "2026-01"}]},
        ),
        ("PATCH", f"{one}/contact", {"version": 7, "phone": "26123456", "email": "a@b.lv"}),
        ("POST", f"{one}/submit", {"version": 8}),
        ("POST", f"{one}/withdraw", {"version": 9}),
        ("POST", f"{one}/receipt-confirmation", {"version": 10}),
        (
            "POST",
            f"{one}/incidents",
            {"version": 11, "kind": "lost", "description": "x" * 10, "occurred_on": "2026-08-31"},
        ),
    ]
    for request in seen:
        assert request.headers["authorization"] == "Bearer tok"
        assert request.headers["accept-language"] == "en"
        assert "lang" not in request.url.params


async def test_the_list_is_paged_in_the_query() -> None:
    seen: list[httpx.Request] = []
    found = await _client(seen).mine(limit=20, offset=40)
    assert (found.total, found.items) == (0, ())
    assert dict(seen[0].url.params) == {"limit": "20", "offset": "40"}


async def test_a_body_the_contract_refuses_is_not_sent() -> None:
    seen: list[httpx.Request] = []
    apps = _client(seen)
    with pytest.raises(UpstreamProblem) as refused:
        await apps.create_draft(ApplicantRole.PARENT_OR_GUARDIAN, "not a code")
    assert (refused.value.status, refused.value.extra["errors"][0]["loc"]) == (
        422,
        ["body", "learner_code"],
    )
    with pytest.raises(UpstreamProblem) as refused:
        await apps.submit(APP_ID, 0)  # a garbled form's version
    assert (refused.value.status, refused.value.reason) == (422, "validation_error")
    assert refused.value.extra["errors"][0]["loc"] == ["body", "version"]
    assert seen == []
