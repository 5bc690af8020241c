"""Kept-alive connections: on every hop the client lets an idle connection go
before the server closes it. With both sides at 5 s (httpx's and uvicorn's
defaults) a request sent as the server closed the connection failed with
ReadError, which a person saw as a 503 page."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from edu_applications.app import upstream_client as applications_client
from edu_portal.app import upstream_client as portal_client
from edu_runtime.serve import CLIENT_KEEP_ALIVE_SECONDS, SERVER_KEEP_ALIVE_SECONDS
from edu_tools.backends import free_port
from edu_tools.gateway_nginx import PORTS, deploy_target, local_target, render
from edu_tools.testing import serving
from litestar import Litestar, get


@get("/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


async def _ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"GET /ping HTTP/1.1\r\nHost: test\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
    return await reader.readexactly(length)


async def test_a_service_keeps_an_idle_connection_past_the_clients_expiry() -> None:
    async with serving(Litestar([ping]), free_port()) as service:
        host, port = service.base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            assert await _ask(reader, writer) == b"pong"
            # Idle for longer than any client of ours keeps a connection:
            # the server must still hold it open.
            await asyncio.sleep(CLIENT_KEEP_ALIVE_SECONDS + 0.5)
            assert await _ask(reader, writer) == b"pong"
        finally:
            writer.close()


def test_service_clients_expire_idle_connections_first() -> None:
    assert CLIENT_KEEP_ALIVE_SECONDS < SERVER_KEEP_ALIVE_SECONDS
    for client in (
        portal_client("http://127.0.0.1:1", 1.0),
        applications_client("http://127.0.0.1:1", 1.0),
    ):
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._keepalive_expiry == CLIENT_KEEP_ALIVE_SECONDS


def test_the_gateway_expires_idle_upstream_connections_first(tmp_path: Path) -> None:
    local = local_target(tmp_path, tmp_path, dict(PORTS), 8080)
    for target in (deploy_target(), local):
        conf = render(target)
        upstreams = re.findall(r"upstream \S+ \{[^}]*\}", conf)
        assert upstreams
        for block in upstreams:
            seconds = re.search(r"keepalive_timeout (\d+)s;", block)
            assert seconds, block
            assert int(seconds.group(1)) < SERVER_KEEP_ALIVE_SECONDS
