"""Applications' MongoDB collections: each application stored whole, with an
optimistic version check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edu_runtime.mongo import Doc
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from edu_applications.domain.model import Application


def to_doc(app: Application) -> Doc:
    doc: dict[str, Any] = app.model_dump(mode="python")
    doc["_id"] = str(doc.pop("id"))
    return doc


def from_doc(doc: Doc) -> Application:
    data = dict(doc)
    data["id"] = data.pop("_id")
    return Application.model_validate(data)


class ApplicationStore:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.applications = db["applications"]
        self.terms = db["terms_acceptances"]

    async def ensure_indexes(self) -> None:
        await self.applications.create_index([("applicant_code", 1), ("created_at", -1)])

    async def insert(self, app: Application, session: AsyncClientSession) -> None:
        await self.applications.insert_one(to_doc(app), session=session)

    async def get(self, app_id: str) -> Application | None:
        doc = await self.applications.find_one({"_id": app_id})
        return from_doc(doc) if doc else None

    async def accept_terms(self, subject: str, version: str, at: dt.datetime) -> None:
        key = f"{subject}:{version}"
        # _id repeated in the replacement: nx-27017 does not copy it from the filter on upsert.
        await self.terms.replace_one(
            {"_id": key},
            {"_id": key, "subject": subject, "version": version, "accepted_at": at},
            upsert=True,
        )

    async def has_accepted(self, subject: str, version: str) -> bool:
        return await self.terms.find_one({"_id": f"{subject}:{version}"}) is not None
