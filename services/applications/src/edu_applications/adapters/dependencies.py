"""The types of the HTTP handlers' parameters: the request, and what the app
provides by name (``NamedDependency``: the parameter's name picks it)."""

from __future__ import annotations

from typing import Any

from edu_runtime.auth import Identity
from edu_runtime.paging import PageRequest
from litestar import Request
from litestar.di import NamedDependency

from edu_applications.adapters.inbox_store import InboxStore
from edu_applications.lending_settings import LendingSettingsService
from edu_applications.service import ApplicationService
from edu_applications.service.items import ItemRegister
from edu_applications.service.sent_messages import SentMessages
from edu_applications.service.stocktakes import Stocktakes

Req = Request[Any, Any, Any]
Me = NamedDependency[Identity]
Service = NamedDependency[ApplicationService]
Paging = NamedDependency[PageRequest]
Sent = NamedDependency[SentMessages]
Inbox = NamedDependency[InboxStore]
Lending = NamedDependency[LendingSettingsService]
Register = NamedDependency[ItemRegister]
Takes = NamedDependency[Stocktakes]
