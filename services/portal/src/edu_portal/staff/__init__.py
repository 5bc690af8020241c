"""The schools' staff pages under /skola/ (issue #12): staff sign-in from the
registers' employment, the applications inbox, one application and its
actions, bulk grant, issued items, the school's lending settings, and the
item register with its imports, stocktakes and labels (#22)."""

from litestar import Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from edu_portal.staff import (
    application,
    bulk,
    inbox,
    issued,
    lending,
    register,
    register_import,
    reserve,
    signin,
    stocktake,
)
from edu_portal.staff.common import NotStaff, not_staff, provide_staff

# Every staff page but the staff sign-in: ``signed_in`` is a staff member or
# the person is sent to the staff sign-in (one guard, not a check per page).
STAFF_PAGES = Router(
    path="/",
    route_handlers=[
        *inbox.ROUTES,
        *bulk.ROUTES,
        *reserve.ROUTES,
        *application.ROUTES,
        *issued.ROUTES,
        *lending.ROUTES,
        *register.ROUTES,
        *register_import.ROUTES,
        *stocktake.ROUTES,
    ],
    dependencies={"signed_in": Provide(provide_staff)},
    exception_handlers={NotStaff: not_staff},
)

ROUTES: list[ControllerRouterHandler] = [*signin.ROUTES, STAFF_PAGES]

__all__ = ["ROUTES"]
