"""Handing a service's long-lived objects (its service, store, caches) to its
request handlers as Litestar dependencies, one line for all of them."""

from __future__ import annotations

from collections.abc import Callable

from litestar.di import Provide


def _constant(value: object) -> Callable[[], object]:
    return lambda: value


def singletons(**values: object) -> dict[str, Provide]:
    """A dependency of each name that answers with its same object every time
    (no thread: nothing is built per request)."""
    return {name: Provide(_constant(value), sync_to_thread=False) for name, value in values.items()}
