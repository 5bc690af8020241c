"""``project``: one model from another's same-named fields, plus what it adds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from edu_runtime.projection import project
from pydantic import BaseModel, ConfigDict, ValidationError


class Record(BaseModel):
    code: str
    name: str
    note: str | None = None
    internal: int = 0


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    label: str
    note: str | None = "default"


@dataclass(frozen=True)
class Facts:
    code: str
    label: str


def test_copies_shared_fields_and_takes_the_rest_as_keywords() -> None:
    entry = project(Entry, Record(code="a", name="A"), label="L")
    # Fields only the source has (internal) are left out; shared ones copied.
    assert entry == Entry(code="a", name="A", label="L", note=None)


def test_keywords_win_over_the_source() -> None:
    assert project(Entry, Record(code="a", name="A"), name="B", label="L").name == "B"


def test_a_field_the_source_lacks_keeps_its_default() -> None:
    facts = project(Facts, Record(code="a", name="A"), label="L")
    assert facts == Facts(code="a", label="L")
    assert project(Entry, Facts(code="a", label="L"), name="N").note == "default"


def test_the_target_still_validates() -> None:
    with pytest.raises(ValidationError):
        project(Entry, Record(code="a", name="A"))  # no label
