"""Run a service's ASGI app with uvicorn, with our JSON logging."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from edu_runtime.logs import configure_logging
from edu_runtime.settings import ServiceSettings


def serve(app: Litestar, settings: ServiceSettings) -> None:
    configure_logging(settings.service_name, settings.log_level)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # keep our JSON handler
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
