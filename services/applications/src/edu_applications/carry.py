"""Building a model from objects that hold its fields under the same names."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def carried(model: type[M], *sources: object, **given: Any) -> M:
    """A ``model`` whose fields are ``given`` or else the first of ``sources``'
    attributes of the same name; a field none of them has keeps its default
    (or fails validation when it has none)."""
    values = dict(given)
    for name in model.model_fields.keys() - given.keys():
        for source in sources:
            if hasattr(source, name):
                values[name] = getattr(source, name)
                break
    return model(**values)
