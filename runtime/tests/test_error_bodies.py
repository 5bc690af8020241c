"""A database outage is a 503 the client may retry, not a 500."""

from __future__ import annotations

from typing import Any

from edu_runtime.errors import handle_exception
from litestar import Litestar, get
from litestar.testing import TestClient
from pymongo.errors import AutoReconnect


@get("/boom", sync_to_thread=False)
def boom() -> dict[str, Any]:
    raise AutoReconnect("127.0.0.1:27017: connection is already closed")


def test_database_unreachable_is_503_with_retry_after() -> None:
    app = Litestar([boom], exception_handlers={Exception: handle_exception})
    with TestClient(app) as client:
        r = client.get("/boom")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "1"
    assert r.json()["reason"] == "database_unavailable"
