"""The applications service's staff API (``/api/v1/staff/...``): the inbox,
its exports and the bulk grant, one application and its actions, the issued
items, and the institution's lending settings. The caller's institution comes
from its staff token; the language once, as ``Accept-Language``."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Literal
from uuid import UUID

import httpx
from edu_contracts.items import ItemReservation
from edu_contracts.staff_api import (
    AuditPage,
    BulkGrant,
    BulkGrantResult,
    DecisionRequest,
    InboxPage,
    InboxQuery,
    IncidentClosing,
    IssuedItemState,
    ItemsPage,
    LendingSettingsChange,
    LendingSettingsView,
    ReturnRequest,
    StaffApplication,
)

from edu_runtime.service_client import ServiceClient

API = "/api/v1/staff"
ExportKind = Literal["csv", "xlsx"]


def _state(state: IssuedItemState | None) -> dict[str, str]:
    return {"state": state.value} if state else {}


class StaffClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    # --- the inbox -------------------------------------------------------------------
    async def inbox(self, filters: InboxQuery, *, limit: int, offset: int) -> InboxPage:
        return await self.service.read(
            "GET",
            f"{API}/inbox/",
            InboxPage,
            params={**filters.params(), "limit": limit, "offset": offset},
        )

    def inbox_export(
        self, filters: InboxQuery, kind: ExportKind
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """The filtered inbox as CSV or XLSX, streamed."""
        return self.service.download(f"{API}/inbox/export.{kind}", params=filters.params())

    async def bulk_grant(self, targets: BulkGrant) -> BulkGrantResult:
        return await self.service.read(
            "POST", f"{API}/inbox/bulk-grant", BulkGrantResult, body=targets
        )

    # --- one application ---------------------------------------------------------------
    async def application(self, app_id: UUID) -> StaffApplication | None:
        """One application of the caller's institution; None if there is no such one."""
        return await self.service.read_or_none(
            "GET", f"{API}/applications/{app_id}", StaffApplication
        )

    async def decide(self, app_id: UUID, decision: DecisionRequest) -> StaffApplication:
        return await self._act(app_id, "decision", decision)

    async def reserve_item(self, app_id: UUID, reservation: ItemReservation) -> StaffApplication:
        """Ready for issue with an item from the register, reserved for the application."""
        return await self._act(app_id, "item-reservation", reservation)

    async def record_return(self, app_id: UUID, back: ReturnRequest) -> StaffApplication:
        return await self._act(app_id, "return", back)

    async def close_incident(
        self, app_id: UUID, incident_id: UUID, closing: IncidentClosing
    ) -> StaffApplication:
        return await self._act(app_id, f"incidents/{incident_id}/close", closing)

    async def _act(
        self,
        app_id: UUID,
        action: str,
        body: DecisionRequest | ItemReservation | ReturnRequest | IncidentClosing,
    ) -> StaffApplication:
        return await self.service.read(
            "POST", f"{API}/applications/{app_id}/{action}", StaffApplication, body=body
        )

    # --- issued items --------------------------------------------------------------------
    async def issued_items(
        self, state: IssuedItemState | None, *, limit: int, offset: int
    ) -> ItemsPage:
        return await self.service.read(
            "GET",
            f"{API}/issued-items/",
            ItemsPage,
            params={**_state(state), "limit": limit, "offset": offset},
        )

    def issued_items_csv(
        self, state: IssuedItemState | None
    ) -> AbstractAsyncContextManager[httpx.Response]:
        return self.service.download(f"{API}/issued-items/export.csv", params=_state(state))

    # --- lending settings ------------------------------------------------------------------
    async def lending_settings(self) -> LendingSettingsView:
        return await self.service.read("GET", f"{API}/lending-settings/", LendingSettingsView)

    async def change_lending_settings(self, change: LendingSettingsChange) -> LendingSettingsView:
        """Refused with ``stale_version`` when someone saved meanwhile."""
        return await self.service.read(
            "PUT", f"{API}/lending-settings/", LendingSettingsView, body=change
        )

    async def lending_history(self, *, limit: int = 20, offset: int = 0) -> AuditPage:
        return await self.service.read(
            "GET",
            f"{API}/lending-settings/history",
            AuditPage,
            params={"limit": limit, "offset": offset},
        )
