"""Staff HTTP API of the institution's lending settings
(``/api/v1/staff/lending-settings``): read, replace (version checked), audit trail."""

from __future__ import annotations

from edu_contracts import staff_api
from edu_contracts.http import Page
from edu_contracts.lending import (
    LendingOffer,
)
from edu_contracts.staff_api import AuditView, LendingSettingsView
from edu_runtime.auth import staff_only
from edu_runtime.http import correlation_id
from edu_runtime.paging import PageRequest
from edu_runtime.projection import project
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import Field

from edu_applications.adapters.dependencies import Lending, Me, Req
from edu_applications.adapters.responses import page_of
from edu_applications.adapters.views import Email
from edu_applications.domain.lending import AuditEntry, SettingsValues
from edu_applications.lending_settings import (
    CurrentSettings,
    new_offer_id,
)
from edu_applications.staff import institution_of


class LendingSettingsChange(staff_api.LendingSettingsChange):
    """The contract's change, with the digest's address checked as an e-mail
    address (the contracts carry no e-mail validator)."""

    contact_email: Email | None = Field(
        default=None,
        description="The institution's address for the daily digest of new applications "
        "(e.g. pieteikumi@skola.lv); omitted or null: no digest.",
    )


def _settings_view(current: CurrentSettings) -> LendingSettingsView:
    return project(LendingSettingsView, current, current.values)


def _audit_view(entry: AuditEntry) -> AuditView:
    return project(AuditView, entry)


class StaffLendingSettingsController(Controller):
    path = "/api/v1/staff/lending-settings"
    guards = [staff_only]
    tags = ["lending settings (staff)"]

    @get("/")
    async def current(self, identity: Me, lending: Lending) -> LendingSettingsView:
        """Your institution's lending settings; the register's data while none are saved."""
        return _settings_view(await lending.current(identity))

    @put("/")
    async def replace(
        self, request: Req, data: JSONBody[LendingSettingsChange], identity: Me, lending: Lending
    ) -> LendingSettingsView:
        """Replace the settings (all of them: accepting, period, offers). An offer
        without ``offer_id`` is new; one left out is withdrawn."""
        institution_id = institution_of(identity)
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
        return _settings_view(current)

    @get("/history")
    async def history(
        self,
        identity: Me,
        lending: Lending,
        page: NamedDependency[PageRequest],
    ) -> Page[AuditView]:
        """Who changed what and when, newest first."""
        entries, total = await lending.history(identity, limit=page.limit, offset=page.offset)
        return page_of((_audit_view(e) for e in entries), total, page)
