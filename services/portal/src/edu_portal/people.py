"""The people the sign-in stand-in knows: an export of the loaded registers
(``edu up`` writes it to ``DATA_DIR/people.json`` from registry-reader's data;
the browser tests write their own). Featured people are offered as a list;
any other person in the file can be signed in by typing their personal code.

Only the local stand-in uses this; with a real identity provider (deploy/)
the provider says who signed in.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class KnownPerson(BaseModel):
    model_config = ConfigDict(extra="ignore")

    personal_code: str
    given_name: str
    family_name: str
    kind: str | None = None  # parent-with-minor, adult-learner, staff, … when featured
    featured: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PeopleFile(BaseModel):
    people: list[KnownPerson]


class PeopleDirectory:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._people: dict[str, KnownPerson] = {}

    def _load(self) -> dict[str, KnownPerson]:
        with self._lock:
            try:
                mtime = self._path.stat().st_mtime
            except FileNotFoundError:
                return {}
            if mtime != self._mtime:
                data = PeopleFile.model_validate(json.loads(self._path.read_text("utf-8")))
                self._people = {p.personal_code: p for p in data.people}
                self._mtime = mtime
            return self._people

    def featured(self) -> list[KnownPerson]:
        return [p for p in self._load().values() if p.featured]

    def find(self, personal_code: str) -> KnownPerson | None:
        return self._load().get(personal_code)


def write_people(path: Path, people: list[KnownPerson]) -> None:
    """Write the directory atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(PeopleFile(people=people).model_dump_json(indent=1), encoding="utf-8")
    tmp.replace(path)
