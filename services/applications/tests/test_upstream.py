"""The wizard's reads of registry-reader and documents through the shared
typed clients: the caller's token and language go along, and every upstream
answer becomes this service's answer as before (``adapters.upstream``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from edu_applications.adapters.upstream import ReceiptDocumentsCatalog, RegistryLookups
from edu_contracts.personal_code import old_format_check_digit
from edu_runtime.errors import ApiError
from edu_runtime.service_client import ServiceClient

Handler = Callable[[httpx.Request], httpx.Response]
CODE = f"010110-1234{old_format_check_digit('0101101234')}"


def _service(name: str, handler: Handler) -> ServiceClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://up")
    return ServiceClient(name, http)


def _answer(status: int, body: Any = None) -> Handler:
    return lambda request: httpx.Response(status, json=body)


async def test_the_callers_token_and_language_go_along_and_codes_only_in_bodies() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "receipt-documents" in request.url.path:
            return httpx.Response(200, json={"items": []})
        return httpx.Response(200, json={"learner_code": CODE, "items": []})

    lookups = RegistryLookups(_service("registry", handler))
    found = await lookups.learner_institutions(CODE, "tok")
    assert found is not None
    assert found.items == ()
    catalog = ReceiptDocumentsCatalog(_service("documents", handler))
    assert (await catalog.current("tok2", "en")).items == ()
    first, second = seen
    assert first.headers["authorization"] == "Bearer tok"
    assert first.headers["accept-language"] == "lv"
    assert CODE.encode() in first.content
    assert CODE not in str(first.url)
    assert second.headers["authorization"] == "Bearer tok2"
    assert second.headers["accept-language"] == "en"
    assert "lang=" not in str(second.url)


async def test_not_found_is_none_and_no_represented_persons_is_none_listed() -> None:
    lookups = RegistryLookups(_service("registry", _answer(404, {"reason": "x"})))
    assert await lookups.institution("RIGA-01", "tok") is None
    assert await lookups.offers("RIGA-01", "tok") is None
    assert (await lookups.represented_persons("tok")).items == ()
    catalog = ReceiptDocumentsCatalog(_service("documents", _answer(404)))
    with pytest.raises(ApiError) as refused:
        await catalog.current("tok")
    assert (refused.value.status_code, refused.value.reason) == (503, "documents_unavailable")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (403, {"reason": "not_represented"}, (403, "not_represented")),
        (403, None, (403, "forbidden")),
        (422, {"reason": "personal_code_checksum"}, (422, "personal_code_checksum")),
        (422, None, (422, "validation_error")),
        (401, {"reason": "token_expired"}, (503, "registry_unavailable")),
        (409, {"reason": "x"}, (503, "registry_unavailable")),
        (500, None, (503, "registry_unavailable")),
        (503, None, (503, "registry_unavailable")),
        (200, {"unexpected": True}, (502, "registry_bad_answer")),
    ],
)
async def test_upstream_refusals_become_this_services_answers(
    status: int, body: Any, expected: tuple[int, str]
) -> None:
    lookups = RegistryLookups(_service("registry", _answer(status, body)))
    with pytest.raises(ApiError) as refused:
        await lookups.learner_institutions(CODE, "tok")
    assert (refused.value.status_code, refused.value.reason) == expected


async def test_no_answer_is_unavailable() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    lookups = RegistryLookups(_service("registry", down))
    with pytest.raises(ApiError) as refused:
        await lookups.employee_institutions("tok")
    assert (refused.value.status_code, refused.value.reason) == (503, "registry_unavailable")
    assert "does not answer" in str(refused.value.detail)
