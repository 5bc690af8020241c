"""Forms as objects, with errors as GOV.UK shows them.

Every page's form is a ``PageForm``: a pydantic model of the posted fields
(named as the fields' ids in the page), validated in one call. A form that
does not validate gives ``FormErrors``: a summary at the top of the page, each
entry a link to its field, and the same message at the field
(``templates/layout/forms.html``). The messages are the form's own, in the
page's language (``messages()`` is asked at request time), so a form's rules
and words can be unit-tested without a browser.

Rules that need what the page knows (the people a parent represents, an
application's version) come in as validation context:
``WhoseForm.parse(data, known=…)`` → ``info.context["known"]`` in a validator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError


def as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


# Checkboxes: one ticked box arrives as one value, several as a list.
Choices = Annotated[tuple[str, ...], BeforeValidator(as_tuple)]


def read_version(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return NO_VERSION


# The hidden ``version`` field of a change form: the version of the record the
# page showed. Absent or garbled it is NO_VERSION, which no record has, so the
# service refuses the change rather than apply it to a state nobody saw.
NO_VERSION = 0
Version = Annotated[int, BeforeValidator(read_version)]


@dataclass
class FormErrors:
    messages: dict[str, str] = field(default_factory=dict)  # field id → message

    def add(self, field_id: str, message: str) -> None:
        self.messages.setdefault(field_id, message)

    def get(self, field_id: str) -> str | None:
        return self.messages.get(field_id)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def items(self) -> list[tuple[str, str]]:
        return list(self.messages.items())


class PageForm(BaseModel):
    """A page's posted form. Fields the form does not name (the CSRF token,
    the button pressed) are not its business and are left out."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    @classmethod
    def messages(cls) -> dict[str, str]:
        """Field id → the message for any error of that field; a key
        ``"field.error_type"`` (a pydantic type, or a ``PydanticCustomError``'s)
        gives one error its own message."""
        return {}

    @classmethod
    def parse(
        cls, data: Mapping[str, Any] | None, **context: Any
    ) -> tuple[Self | None, FormErrors]:
        """The validated form, or None and the errors to show, in field order."""
        try:
            return cls.model_validate(_fields(data), context=context), FormErrors()
        except ValidationError as exc:
            return None, cls.errors_of(exc)

    @classmethod
    def errors_of(cls, exc: ValidationError) -> FormErrors:
        messages = cls.messages()
        errors = FormErrors()
        for error in exc.errors():
            field_id = str(error["loc"][0]) if error["loc"] else "form"
            text = messages.get(f"{field_id}.{error['type']}") or messages.get(field_id)
            # A form without a message for one of its errors is a bug in the
            # form; the person still gets pydantic's (English) words.
            errors.add(field_id, text or error["msg"])
        return errors


class ChangeForm(PageForm):
    """A change of a record (an application, the lending settings): the
    version the page showed."""

    version: Version = NO_VERSION


def _fields(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The posted fields: a field sent once is its value, a field sent more
    than once (checkboxes) a list; an empty field is absent."""
    fields: dict[str, Any] = {}
    for name, value in (data or {}).items():
        if isinstance(value, list):
            values = [str(v) for v in value if str(v).strip()]
            if len(values) == 1:
                fields[name] = values[0]
            elif values:
                fields[name] = values
        elif value is not None and str(value).strip():
            fields[name] = value
    return fields


def form_value(form: Any, name: str) -> str:
    """A single form field's value, stripped; '' when absent."""
    value = form.get(name) if form is not None else None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""
