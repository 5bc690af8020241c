"""The issued items: which item is with which learner since when, by state
(ready, with the learner, loss or theft reported, returned), and as CSV."""

from __future__ import annotations

from typing import Annotated

from edu_contracts.staff_api import IssuedItemState
from litestar import get
from litestar.params import QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from edu_portal.labels import TAG_CLASSES, condition_names
from edu_portal.staff.common import BASE, item_state_names, staff_page
from edu_portal.staff.inbox import PAGE_SIZE, clean
from edu_portal.web.downloads import pass_on
from edu_portal.web.params import Api, Me, PageNumber, pager, window

StateQuery = Annotated[str | None, QueryParameter(name="stavoklis")]


def _state(value: str | None) -> IssuedItemState | None:
    chosen = clean(value, set(item_state_names()) - {""})
    return IssuedItemState(chosen) if chosen else None


@get(f"{BASE}/izsniegtie")
async def issued_items(
    signed_in: Me,
    clients: Api,
    item_state: StateQuery = None,
    page_number: PageNumber = 1,
) -> Template | Redirect:
    state = _state(item_state)
    found = await clients.staff.issued_items(state, **window(page_number, PAGE_SIZE))
    return staff_page(
        "issued.html",
        signed_in,
        found=found,
        state=state.value if state else "",
        state_names=item_state_names(),
        condition_names=condition_names(),
        **pager(page_number, found.total, PAGE_SIZE),
        tag_classes=TAG_CLASSES,
    )


@get(f"{BASE}/izsniegtie.csv")
async def issued_items_csv(
    signed_in: Me, clients: Api, item_state: StateQuery = None
) -> Stream | Redirect:
    return await pass_on(
        clients.staff.issued_items_csv(_state(item_state)),
        filename="izsniegtie-resursi.csv",
        media_type="text/csv; charset=utf-8",
    )


ROUTES: list[ControllerRouterHandler] = [issued_items, issued_items_csv]
