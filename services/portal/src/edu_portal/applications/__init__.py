"""E-service B, the application for an education resource: the wizard
(``wizard``) and the pages after submission (``mine``), under /pieteikumi/."""

from litestar.types import ControllerRouterHandler

from edu_portal.applications import mine, wizard

ROUTES: list[ControllerRouterHandler] = [*wizard.ROUTES, *mine.ROUTES]
