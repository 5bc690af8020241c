"""The parameters page handlers take, named once: ``Form`` (the posted
form), ``Api`` (the typed clients, bound to the signed-in person), ``Me``
(the signed-in person's session) and ``PageNumber`` (``?lapa=`` of a long
list), with the window a list page asks the service for and what its pager
shows."""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar.di import NamedDependency
from litestar.params import QueryParameter, URLEncodedBody

from edu_portal.web.clients import Clients
from edu_portal.web.context import SignedIn

Form = URLEncodedBody[dict[str, Any]]
Api = NamedDependency[Clients]
Me = NamedDependency[SignedIn]
PageNumber = Annotated[int, QueryParameter(name="lapa", ge=1, le=100_000)]
PAGE_SIZE = 20  # a list page's rows, unless the page says otherwise


def window(page_number: int, size: int = PAGE_SIZE) -> dict[str, int]:
    """The ``limit`` and ``offset`` of page ``page_number`` of a list."""
    return {"limit": size, "offset": (page_number - 1) * size}


def pager(page_number: int, total: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """A list page's pager: this page, how many there are, whether one follows."""
    pages = max(1, math.ceil(total / size))
    return {"page_number": page_number, "pages": pages, "has_next": page_number < pages}
