"""The one pagination convention: ``limit`` (1..maximum) and ``offset`` (≥ 0)
query parameters, refused with the one reason ``bad_page``.

Every app provides the dependency ``page`` (20 by default, at most 100); a
handler that pages differently overrides it with ``dependencies={"page":
paging(default=…, maximum=…)}``. Out-of-range and non-integer values are both
``422 bad_page`` (see ``edu_runtime.errors``)."""

# No ``from __future__ import annotations``: the provider's annotations carry
# the bounds of the enclosing call, and Litestar reads them from the signature.

from dataclasses import dataclass
from typing import Annotated

from litestar.di import Provide
from litestar.params import QueryParameter

PAGE_PARAMETERS = frozenset({"limit", "offset"})
# Far past any list here, and inside MongoDB's 64-bit integers (the fuzzer's
# offset=36893488147419103231 was a 500 before this bound).
MAX_OFFSET = 10_000_000
BAD_PAGE = "bad_page"


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int


def paging(*, default: int = 20, maximum: int = 100) -> Provide:
    def provide_page(
        limit: Annotated[
            int,
            QueryParameter(
                name="limit", ge=1, le=maximum, description=f"Items per page, 1..{maximum}."
            ),
        ] = default,
        offset: Annotated[
            int,
            QueryParameter(
                name="offset", ge=0, le=MAX_OFFSET, description=f"Items to skip, 0..{MAX_OFFSET}."
            ),
        ] = 0,
    ) -> PageRequest:
        return PageRequest(limit=limit, offset=offset)

    return Provide(provide_page, sync_to_thread=False)
