"""Composition root of registry-reader."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.pseudonym import Pseudonymizer
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.singletons import singletons
from litestar import Litestar
from opentelemetry.sdk.trace.export import SpanExporter

from edu_registry_reader.adapters.consumers import register_consumers
from edu_registry_reader.adapters.http import REFUSALS, LookupsController, MyDataController
from edu_registry_reader.adapters.lending import LendingAwareStore, register_lending_consumer
from edu_registry_reader.eligibility import CONSUMER, EligibilityVerification
from edu_registry_reader.service import RegistryService
from edu_registry_reader.settings import RegistryReaderSettings


def create_app(
    settings: RegistryReaderSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.REGISTRY_VERDICTS, topics.DOCUMENT_COMMANDS)
    # Institutions and offers as the schools' lending settings make them.
    store = LendingAwareStore(
        runtime.db,
        Pseudonymizer(settings.pseudonym_key.get_secret_value().encode()),
        observe_log_batch=runtime.metrics.group_commit("access-log"),
    )
    service = RegistryService(store, runtime.units)
    register_consumers(runtime, EligibilityVerification(store, runtime.inbox(CONSUMER)))
    register_lending_consumer(runtime, store)
    return create_http_app(
        runtime,
        title="registry-reader",
        description="Replica of the VIIS registers: 'My data in the education registers', "
        "lookups for the application wizard, eligibility verdicts, access log.",
        route_handlers=[MyDataController, LookupsController],
        dependencies=singletons(service=service, runtime=runtime),
        on_startup=[store.ensure_indexes],
        refusals=REFUSALS,
    )
