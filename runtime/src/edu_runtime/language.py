"""The one language negotiation of every HTTP API: ``?lang=`` (lv or en) wins,
else the first of lv/en in ``Accept-Language`` by quality, else Latvian.

A controller whose answers have texts declares ``parameters = LANGUAGE_QUERY``
(so ``lang`` is documented and accepted, see ``edu_runtime.strict_input``) and
calls ``language_of(request)``. A single handler declares ``lang: LangQuery =
None`` and calls ``negotiate`` instead: Litestar leaves a handler's own
``parameters=`` out of the parsed signature strict_input reads, so ``?lang=``
would be refused as unknown there. Both document ``lang`` as the enum of
``Language``, the same enum ``negotiate`` accepts."""

from __future__ import annotations

from typing import Annotated, Any

from edu_contracts.documents import Language
from litestar import Request
from litestar.params import QueryParameter

from edu_runtime.errors import ApiError

LANGUAGES = [language.value for language in Language]
_LANG_DESCRIPTION = (
    "Language of the texts in the answer, 'lv' or 'en'. Without it, "
    "the first of lv/en in Accept-Language (by quality); Latvian by default."
)
_LANG_SCHEMA: dict[str, Any] = {"type": "string", "enum": LANGUAGES}

LANGUAGE_QUERY: dict[str, Any] = {
    "lang": QueryParameter(
        annotation=str | None,
        name="lang",
        required=False,
        default=None,
        description=_LANG_DESCRIPTION,
        schema_extra=_LANG_SCHEMA,
    )
}

LangQuery = Annotated[
    str | None,
    QueryParameter(required=False, description=_LANG_DESCRIPTION, schema_extra=_LANG_SCHEMA),
]
"""A handler's own ``lang`` query parameter (see the module's docstring)."""


def parse_accept_language(header: str) -> Language | None:
    """The first of lv/en the client accepts, by quality then position (q=0 is a refusal)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag == "en" or tag.startswith("en-"):
            return Language.EN
        if tag == "lv" or tag.startswith("lv-"):
            return Language.LV
    return None


def negotiate(lang: str | None, accept_language: str | None) -> Language:
    if lang is not None:
        try:
            return Language(lang.strip().lower())
        except ValueError:
            raise ApiError(
                422, "unsupported_language", "lang must be 'lv' or 'en'.", {"lang": lang[:20]}
            ) from None
    return parse_accept_language(accept_language or "") or Language.LV


def language_of(request: Request[Any, Any, Any]) -> Language:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
