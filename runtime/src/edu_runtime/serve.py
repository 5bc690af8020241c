"""Run a service's ASGI app with uvicorn, with our JSON logging."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from edu_runtime.logs import configure_logging
from edu_runtime.settings import ServiceSettings

# How long a kept-alive connection may sit idle, on each side of a hop. A client
# must give up on an idle connection before the server closes it: with both at
# 5 s (httpx's and uvicorn's defaults) a request sent on a connection at the
# moment the server closes it fails with ReadError, and the person sees a 503.
# The gateway's nginx uses the client figure for its upstreams too.
SERVER_KEEP_ALIVE_SECONDS = 20
CLIENT_KEEP_ALIVE_SECONDS = 10


def uvicorn_config(
    app: Litestar, host: str, port: int, *, graceful_seconds: float
) -> uvicorn.Config:
    """One uvicorn configuration for production and for the tests' servers."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # keep our JSON handler
        access_log=False,
        lifespan="on",
        timeout_keep_alive=SERVER_KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=int(graceful_seconds),
    )


def serve(app: Litestar, settings: ServiceSettings) -> None:
    configure_logging(settings.service_name, settings.log_level)
    config = uvicorn_config(app, settings.http_host, settings.http_port, graceful_seconds=10)
    uvicorn.Server(config).run()
