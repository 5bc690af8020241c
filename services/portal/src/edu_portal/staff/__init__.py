"""The schools' staff pages under /skola/ (issue #12): staff sign-in from the
registers' employment, the applications inbox, one application and its
actions, bulk grant, issued items and the school's lending settings."""

from litestar.types import ControllerRouterHandler

from edu_portal.staff import inbox, lending, signin

ROUTES: list[ControllerRouterHandler] = [*signin.ROUTES, *inbox.ROUTES, *lending.ROUTES]

__all__ = ["ROUTES"]
