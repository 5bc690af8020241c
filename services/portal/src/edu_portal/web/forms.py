"""Form errors as GOV.UK shows them: a summary at the top of the page, each
entry a link to its field, and the same message at the field itself.
Templates render them with the macros in ``templates/layout/forms.html``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


def form_value(form: Any, name: str) -> str:
    """A single form field's value, stripped; '' when absent."""
    value = form.get(name) if form is not None else None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""
