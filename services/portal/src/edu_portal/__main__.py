"""``python -m edu_portal``: run the portal's pages."""

from __future__ import annotations

import uvicorn
from edu_runtime.logs import configure_logging

from edu_portal.app import create_app
from edu_portal.settings import PortalSettings


def main() -> None:
    settings = PortalSettings()
    configure_logging(settings.service_name, settings.log_level)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        proxy_headers=True,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
