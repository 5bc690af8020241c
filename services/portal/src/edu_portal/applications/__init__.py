"""E-service B, the application for an education resource, under /pieteikumi/:
the way in (``terms``), the wizard's steps (``steps``: 1-4, ``check``: 5-7),
the pages after submission (``mine``, ``actions``) and the files (``files``).
Forms in ``forms``, the draft's state in ``flow``, shared rendering in ``pages``."""

from litestar.types import ControllerRouterHandler

from edu_portal.applications import actions, check, files, mine, steps, terms

ROUTES: list[ControllerRouterHandler] = [
    *terms.ROUTES,
    *steps.ROUTES,
    *check.ROUTES,
    *mine.ROUTES,
    *actions.ROUTES,
    *files.ROUTES,
]
