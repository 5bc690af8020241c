"""The typed API clients of a page, bound to the signed-in person.

A handler asks for ``clients: NamedDependency[Clients]``; every call then
carries the session's gateway JWT, the page's language (once, as
``Accept-Language``), the gateway's correlation id and the page's trace
context, so the services' spans join the page's trace. Refusals come back as
``UpstreamProblem`` (``web.api.ApiProblem``) with the service's ``reason``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edu_runtime.clients.applications import ApplicationsClient
from edu_runtime.clients.documents import DocumentsClient
from edu_runtime.clients.items import ItemRegisterClient
from edu_runtime.clients.registry import RegistryClient
from edu_runtime.clients.staff import StaffClient
from edu_runtime.service_client import ServiceClient
from litestar import Request

from edu_portal.web.api import Backend, Backends
from edu_portal.web.context import provide_signed_in
from edu_portal.web.i18n import current_lang


@dataclass(frozen=True)
class Clients:
    registry: RegistryClient
    documents: DocumentsClient
    staff: StaffClient
    applications: ApplicationsClient
    items: ItemRegisterClient

    @classmethod
    def acting_as(cls, backends: Backends, token: str) -> Clients:
        lang = current_lang().value

        def bound(backend: Backend) -> ServiceClient:
            return backends.service(backend).acting_as(token, lang)

        return cls(
            registry=RegistryClient(bound(Backend.REGISTRY)),
            documents=DocumentsClient(bound(Backend.DOCUMENTS)),
            staff=StaffClient(bound(Backend.APPLICATIONS)),
            applications=ApplicationsClient(bound(Backend.APPLICATIONS)),
            items=ItemRegisterClient(bound(Backend.APPLICATIONS)),
        )


async def provide_clients(request: Request[Any, Any, Any]) -> Clients:
    # The signed-in session through the request (cached there), not as a typed
    # parameter: litestar would validate a ``SignedIn`` argument field by field.
    signed_in = await provide_signed_in(request)
    return Clients.acting_as(signed_in.portal.backends, await signed_in.token())
