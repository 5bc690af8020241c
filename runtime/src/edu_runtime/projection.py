"""Building one model from another that carries the same fields.

Records become answer entries, domain objects become event payloads, and most
of their fields pass across unchanged under the same name. ``project`` copies
those and takes the rest as keywords, so a mapping names only what it adds or
computes instead of restating every shared field.

Pure (no I/O): domain code may import this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


def field_names(target: type[Any]) -> Iterable[str]:
    """The fields of a pydantic model or a dataclass, in declaration order."""
    if issubclass(target, BaseModel):
        return target.model_fields
    return (f.name for f in dataclasses.fields(target))


def project(target: type[T], /, *sources: object, **values: Any) -> T:
    """A ``target`` (pydantic model or dataclass) whose fields are ``values``,
    and, for every other field, the same-named attribute of the first of
    ``sources`` that has one (a field none has keeps its default). The target
    validates as usual."""
    copied: dict[str, Any] = {}
    for name in field_names(target):
        if name in values:
            continue
        for source in sources:
            if hasattr(source, name):
                copied[name] = getattr(source, name)
                break
    build: Any = target
    result: T = build(**copied, **values)
    return result
