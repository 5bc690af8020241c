"""How an institution's lending settings (owned by applications, applied here
from ``lending.settings-changed.v1``) change what the registers say, free of
I/O. Until a school has saved settings, the register's data stays in force;
once it has, its settings replace the register's "accepting applications" and
its resource offers, and only resources lent for individual use outside the
institution can be applied for (wizard step 4 and the eligibility verdict)."""

from __future__ import annotations

import datetime as dt

from edu_contracts.lending import LendingOffer, LendingSettingsPayload, LendingUse, accepting_on

from edu_registry_reader.domain.records import InstitutionRecord, ResourceOfferRecord


def supersedes(stored_version: int | None, incoming: LendingSettingsPayload) -> bool:
    """Snapshots are applied newest-wins: an older or repeated one changes nothing."""
    return stored_version is None or incoming.version > stored_version


def effective_institution(
    institution: InstitutionRecord, settings: LendingSettingsPayload | None, on: dt.date
) -> InstitutionRecord:
    if settings is None:
        return institution
    return institution.model_copy(update={"accepting_applications": accepting_on(settings, on)})


def offer_record(institution_id: str, offer: LendingOffer) -> ResourceOfferRecord | None:
    """The offer as the wizard and the verdict see it; None for a resource used
    only on the premises, which nobody can apply for."""
    if offer.use is not LendingUse.INDIVIDUAL:
        return None
    return ResourceOfferRecord(
        offer_id=offer.offer_id,
        institution_id=institution_id,
        resource_type=offer.resource_type.value,
        description=offer.description,
        target_group=offer.target_group,
        for_groups=offer.for_groups,
    )


def applicable_offers(settings: LendingSettingsPayload) -> list[ResourceOfferRecord]:
    """The offers of wizard step 4, in the order the school listed them."""
    found = (offer_record(settings.institution_id, o) for o in settings.offers)
    return [o for o in found if o is not None]
