"""No input silently ignored: before a handler runs, a query parameter it does
not declare, or a missing or non-JSON body where it expects one, is a 422 that
says what is wrong and what is expected. Unknown body fields are refused by the
body models themselves (``edu_contracts.http.RequestBody`` forbids extras; the
error handler names them).

What a handler declares is read once from Litestar's own parsed signature (its
``KwargsModel``: the handler's, its controller's and its dependencies' query
parameters), so the rule needs nothing from the services' code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request, Response
from litestar.handlers import BaseRouteHandler
from litestar.routes import HTTPRoute

from edu_runtime.errors import ApiError
from edu_runtime.language import negotiate
from edu_runtime.methods import OptionsAnswer


@dataclass(frozen=True)
class DeclaredInput:
    query: frozenset[str]
    body: str | None  # the body model's name when a body is required
    single: frozenset[str] = frozenset()  # query parameters that take one value
    # Optional non-text query parameters: Litestar reads the text "null" as
    # "not given" for them, which is no value the document allows.
    no_null_text: frozenset[str] = frozenset()


def _is_text(field: Any) -> bool:
    return any(t.annotation is str for t in field.inner_types) or field.annotation is str


def _body_name(handler: BaseRouteHandler) -> str:
    field = handler.parsed_fn_signature.parameters.get("data")
    annotation = getattr(field, "annotation", None)
    return getattr(annotation, "__name__", "object")


def declared_inputs(app: Litestar) -> dict[int, DeclaredInput]:
    """Per route handler (by id): the query parameters it reads, and the body it needs."""
    declared: dict[int, DeclaredInput] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, kwargs_model in route.route_handler_map.values():
            needs_body = "data" in kwargs_model.expected_reserved_kwargs and not (
                kwargs_model.is_data_optional
            )
            query = kwargs_model.expected_query_params
            # The handler's own parameters and its dependencies' (a filter
            # declared once as a dependency reads the query too).
            fields = dict(handler.parsed_fn_signature.parameters)
            for provider in handler.resolve_dependencies().values():
                signature = getattr(provider, "parsed_fn_signature", None)
                if signature is not None:
                    for name, field in signature.parameters.items():
                        fields.setdefault(name, field)
            declared[id(handler)] = DeclaredInput(
                query=frozenset(p.field_alias for p in query),
                body=_body_name(handler) if needs_body else None,
                single=frozenset(p.field_alias for p in query if not p.is_sequence),
                no_null_text=frozenset(
                    p.field_alias
                    for p in query
                    if (field := fields.get(p.field_name)) is not None
                    and field.is_optional
                    and not _is_text(field)
                ),
            )
    return declared


class StrictInput:
    """The app's ``before_request`` hook (see the module's docstring); it also
    answers OPTIONS (``edu_runtime.methods``)."""

    def __init__(self) -> None:
        self._declared: dict[int, DeclaredInput] | None = None
        self._options = OptionsAnswer()

    async def __call__(self, request: Request[Any, Any, Any]) -> Response[None] | None:
        # OPTIONS says what the path supports, whatever its query or body.
        answer = self._options(request)
        if answer is not None:
            return answer
        if self._declared is None:
            self._declared = declared_inputs(request.app)
        declared = self._declared.get(id(request.scope["route_handler"]))
        if declared is None:
            return None
        unknown = sorted(set(request.query_params) - declared.query)
        if unknown:
            raise ApiError(
                422,
                "unknown_query_parameter",
                f"Unknown query parameter(s): {', '.join(unknown)}. "
                + (
                    f"This operation accepts: {', '.join(sorted(declared.query))}."
                    if declared.query
                    else "This operation takes no query parameters."
                ),
                {"unknown": unknown, "accepted": sorted(declared.query)},
            )
        repeated = sorted(
            name for name in declared.single if len(request.query_params.getall(name, [])) > 1
        )
        if repeated:
            # Litestar would keep the last value and drop the others unsaid.
            raise ApiError(
                422,
                "repeated_query_parameter",
                f"Query parameter(s) given more than once: {', '.join(repeated)}.",
                {"repeated": repeated},
            )
        nulls = sorted(n for n in declared.no_null_text if request.query_params.get(n) == "null")
        if nulls:
            raise ApiError(
                422,
                "validation_error",
                f"'null' is not a value of {', '.join(nulls)}; leave the parameter out instead.",
                {"invalid": nulls},
            )
        if "lang" in declared.query and "lang" in request.query_params:
            # Checked here for every handler that takes it, also those whose
            # answer has no texts (exports, bulk actions): never ignored.
            negotiate(request.query_params["lang"], None)
        if declared.body is not None:
            await _require_json_object(request, declared.body)
        return None


async def _require_json_object(request: Request[Any, Any, Any], model: str) -> None:
    expected = (
        f"This operation expects a JSON object ({model}) in the request body, "
        "with 'Content-Type: application/json'; '{}' if every field has a default."
    )
    body = await request.body()
    if not body.strip():
        raise ApiError(
            422, "body_required", f"The request has no body. {expected}", {"expected": model}
        )
    try:
        value = json.loads(body)
    except ValueError:
        raise ApiError(
            422, "body_not_json", f"The request body is not JSON. {expected}", {"expected": model}
        ) from None
    if not isinstance(value, dict):
        raise ApiError(
            422,
            "body_not_json",
            f"The request body is JSON but not an object. {expected}",
            {"expected": model},
        )
