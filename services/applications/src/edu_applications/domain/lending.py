"""An institution's lending settings (I/O-free): whether it accepts resource
applications, for which period, and which resources it offers. The aggregate
is owned here because it is this e-service's own workflow data, changed by
the institution's staff (ARCHITECTURE.md); registry-reader applies the
published snapshots to its wizard lookups and verdicts.

Every change gives a new version and an audit entry naming who changed what."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from edu_contracts.lending import LendingOffer, LendingSettingsPayload, accepting_on
from edu_contracts.staff_api import MAX_OFFERS as MAX_OFFERS  # noqa: PLC0414
from edu_contracts.staff_api import FieldChange as FieldChange  # noqa: PLC0414
from edu_runtime.projection import project
from pydantic import BaseModel, ConfigDict

from edu_applications.domain.errors import DomainError


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SettingsValues(Frozen):
    """What staff set: everything but the version and the audit fields."""

    accepting_applications: bool
    accepting_from: dt.date | None = None
    accepting_to: dt.date | None = None
    offers: tuple[LendingOffer, ...] = ()
    contact_email: str | None = None  # where the daily digest of new applications goes


class LendingSettings(SettingsValues):
    institution_id: str
    version: int
    updated_at: dt.datetime
    updated_by: str  # a name, as in the applications' history

    def accepting_on(self, on: dt.date) -> bool:
        return accepting_on(self.payload(), on)

    def payload(self) -> LendingSettingsPayload:
        return project(LendingSettingsPayload, self, changed_at=self.updated_at)


class AuditEntry(Frozen):
    id: UUID
    institution_id: str
    version: int
    at: dt.datetime
    actor_name: str
    actor_key: str  # keyed pseudonym of the employee's personal code
    changes: tuple[FieldChange, ...]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def changes_between(before: SettingsValues | None, after: SettingsValues) -> list[FieldChange]:
    """What differs, field by field and offer by offer (offers matched by id)."""
    changes: list[FieldChange] = []
    for name in ("accepting_applications", "accepting_from", "accepting_to", "contact_email"):
        old = getattr(before, name) if before else None
        new = getattr(after, name)
        if before is None or old != new:
            changes.append(FieldChange(field=name, before=_text(old), after=_text(new)))
    old_offers = {o.offer_id: o for o in (before.offers if before else ())}
    new_offers = {o.offer_id: o for o in after.offers}
    for offer_id in sorted(old_offers.keys() | new_offers.keys()):
        old_offer, new_offer = old_offers.get(offer_id), new_offers.get(offer_id)
        for name in LendingOffer.model_fields:
            if name == "offer_id":
                continue
            old = getattr(old_offer, name) if old_offer else None
            new = getattr(new_offer, name) if new_offer else None
            if old != new:
                changes.append(
                    FieldChange(
                        field=f"offers.{offer_id}.{name}", before=_text(old), after=_text(new)
                    )
                )
    return changes


def change_settings(
    institution_id: str,
    before: LendingSettings | None,
    wanted: SettingsValues,
    *,
    actor_name: str,
    actor_key: str,
    now: dt.datetime,
    audit_id: UUID,
) -> tuple[LendingSettings, AuditEntry] | None:
    """The settings after staff saved ``wanted``, and the audit entry; None
    when nothing changed (no new version, no event)."""
    if (
        wanted.accepting_from
        and wanted.accepting_to
        and wanted.accepting_to < wanted.accepting_from
    ):
        raise DomainError("bad_period", "The last day of the period is before its first day.")
    ids = [o.offer_id for o in wanted.offers]
    if len(ids) != len(set(ids)):
        raise DomainError("duplicate_offer", "Two resources have the same identifier.")
    if len(ids) > MAX_OFFERS:
        raise DomainError("too_many_offers", f"At most {MAX_OFFERS} resources.")
    changes = changes_between(before, wanted)
    if before is not None and not changes:
        return None
    after = project(
        LendingSettings,
        wanted,
        institution_id=institution_id,
        version=(before.version if before else 0) + 1,
        updated_at=now,
        updated_by=actor_name,
    )
    entry = AuditEntry(
        id=audit_id,
        institution_id=institution_id,
        version=after.version,
        at=now,
        actor_name=actor_name,
        actor_key=actor_key,
        changes=tuple(changes),
    )
    return after, entry
