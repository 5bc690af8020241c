"""Staff HTTP API of the institution's lending settings
(``/api/v1/staff/lending-settings``): read, replace (version checked), audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from edu_contracts.http import JsonBool, JsonDate, JsonInt, Page
from edu_contracts.lending import (
    OFFER_ID_PATTERN,
    LendingOffer,
    LendingResourceType,
    LendingUse,
)
from edu_contracts.registry_api import ResourceTargetGroup
from edu_runtime.auth import staff_only
from edu_runtime.http import correlation_id
from edu_runtime.paging import PageRequest
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from edu_applications.adapters.dependencies import Lending, Me, Req
from edu_applications.adapters.views import Email
from edu_applications.domain.lending import MAX_OFFERS, AuditEntry, FieldChange, SettingsValues
from edu_applications.lending_settings import (
    CurrentSettings,
    new_offer_id,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OfferInput(Body):
    offer_id: str | None = Field(
        default=None, pattern=OFFER_ID_PATTERN, description="Omit for a new resource."
    )
    resource_type: LendingResourceType
    description: str = Field(min_length=1, max_length=200)
    target_group: ResourceTargetGroup
    use: LendingUse
    for_groups: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=50
    )
    items_available: JsonInt | None = Field(default=None, ge=0, le=100_000)


class LendingSettingsChange(Body):
    """The settings as staff save them. Also (rules JSON Schema cannot state,
    refused with 422): ``accepting_to`` is not before ``accepting_from``
    (``bad_period``), and no two resources have one ``offer_id``
    (``duplicate_offer``)."""

    version: JsonInt = Field(
        ge=0, description="The version this change is based on (0 before the first save)."
    )
    accepting_applications: JsonBool
    accepting_from: JsonDate | None = None
    accepting_to: JsonDate | None = None
    offers: list[OfferInput] = Field(default_factory=list, max_length=MAX_OFFERS)
    contact_email: Email | None = Field(
        default=None,
        description="The institution's address for the daily digest of new applications "
        "(e.g. pieteikumi@skola.lv); omitted or null: no digest.",
    )


class LendingSettingsView(BaseModel):
    institution_id: str
    saved: bool = Field(description="False while the register's data is in force.")
    version: int
    accepting_applications: bool
    accepting_from: dt.date | None
    accepting_to: dt.date | None
    accepting_now: bool
    offers: list[LendingOffer]
    contact_email: str | None = Field(
        description="Where the daily digest of new applications goes; null: no digest."
    )
    updated_at: dt.datetime | None
    updated_by: str | None

    @classmethod
    def of(cls, current: CurrentSettings) -> LendingSettingsView:
        v = current.values
        return cls(
            institution_id=current.institution_id,
            saved=current.saved,
            version=current.version,
            accepting_applications=v.accepting_applications,
            accepting_from=v.accepting_from,
            accepting_to=v.accepting_to,
            accepting_now=current.accepting_now,
            offers=list(v.offers),
            contact_email=v.contact_email,
            updated_at=current.updated_at,
            updated_by=current.updated_by,
        )


class AuditView(BaseModel):
    at: dt.datetime
    version: int
    actor_name: str
    changes: list[FieldChange]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditView:
        return cls(
            at=entry.at,
            version=entry.version,
            actor_name=entry.actor_name,
            changes=list(entry.changes),
        )


class StaffLendingSettingsController(Controller):
    path = "/api/v1/staff/lending-settings"
    guards = [staff_only]
    tags = ["lending settings (staff)"]

    @get("/")
    async def current(self, identity: Me, lending: Lending) -> LendingSettingsView:
        """Your institution's lending settings; the register's data while none are saved."""
        return LendingSettingsView.of(await lending.current(identity))

    @put("/")
    async def replace(
        self, request: Req, data: JSONBody[LendingSettingsChange], identity: Me, lending: Lending
    ) -> LendingSettingsView:
        """Replace the settings (all of them: accepting, period, offers). An offer
        without ``offer_id`` is new; one left out is withdrawn."""
        institution_id = lending.institution_of(identity)
        wanted = SettingsValues(
            accepting_applications=data.accepting_applications,
            accepting_from=data.accepting_from,
            accepting_to=data.accepting_to,
            offers=tuple(
                LendingOffer(
                    offer_id=o.offer_id or new_offer_id(institution_id),
                    resource_type=o.resource_type,
                    description=o.description,
                    target_group=o.target_group,
                    use=o.use,
                    for_groups=tuple(o.for_groups),
                    items_available=o.items_available,
                )
                for o in data.offers
            ),
            contact_email=data.contact_email,
        )
        current = await lending.change(identity, data.version, wanted, correlation_id(request))
        return LendingSettingsView.of(current)

    @get("/history")
    async def history(
        self,
        identity: Me,
        lending: Lending,
        page: NamedDependency[PageRequest],
    ) -> Page[AuditView]:
        """Who changed what and when, newest first."""
        entries, total = await lending.history(identity, limit=page.limit, offset=page.offset)
        return Page(
            items=[AuditView.of(e) for e in entries],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )
