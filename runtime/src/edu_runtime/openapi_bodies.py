"""Request bodies documented by the models that validate them.

Litestar writes a body's schema from the model's fields, so what pydantic
enforces beyond them was missing from the documents: ``extra="forbid"``
(``additionalProperties: false``), and what annotated types and validators say
of themselves in JSON Schema (a personal code's pattern and format, a phone
number's pattern, an e-mail's format). Here each request body's schema, and
those of the models it nests, are replaced by pydantic's own validation-mode
JSON Schema of the same model, so the document and the check cannot drift.

Request bodies trim their strings (``str_strip_whitespace``) before the
length is checked, so "   " is shorter than it looks; a string with a
``minLength`` also gets the pattern that says the same of the trimmed text."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

# The plugin that caches the document as a dict (see edu_runtime.openapi_errors).
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.routes import HTTPRoute
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

_REF = "#/components/schemas/"


def trimmed_at_least(n: int) -> str:
    """A pattern for "at least ``n`` characters once leading and trailing
    whitespace is trimmed" (Python's ``\\s`` is ``str.strip``'s whitespace)."""
    if n <= 1:
        return r"\S"
    return rf"^\s*\S[\s\S]{{{n - 2},}}\S\s*$"


class _TrimmedStrings(GenerateJsonSchema):
    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        value = super().str_schema(schema)
        at_least = value.get("minLength")
        if at_least and "pattern" not in value:
            value["pattern"] = trimmed_at_least(int(at_least))
        return value


def _body_model(handler: Any) -> type[BaseModel] | None:
    field = handler.parsed_fn_signature.parameters.get("data")
    model = getattr(field, "annotation", None)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model
    return None


def _ref_name(operation: dict[str, Any]) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        if isinstance(ref, str) and ref.startswith(_REF):
            return ref.removeprefix(_REF)
    return None


def document_bodies(app: Litestar) -> None:
    """Rewrite the app's (cached) OpenAPI document in place; call once after building the app."""
    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path_item = schema.get("paths", {}).get(route.path_format)
        if not path_item:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = path_item.get(method.lower())
            model = _body_model(handler)
            name = _ref_name(operation) if operation else None
            if model is None or name is None:
                continue
            generator = (
                _TrimmedStrings
                if model.model_config.get("str_strip_whitespace")
                else GenerateJsonSchema
            )
            body = model.model_json_schema(
                mode="validation", ref_template=_REF + "{model}", schema_generator=generator
            )
            components.update(body.pop("$defs", {}))
            components[name] = body
