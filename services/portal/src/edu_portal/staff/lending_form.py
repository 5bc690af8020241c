"""The school's lending settings form (``PageForm``): accepting applications
(and when), the daily digest's address and the resources offered, one row
each (``offer-<n>-<field>``, as many rows as the page showed and a blank one
for a new resource). It gives the staff API's ``LendingSettingsChange``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from edu_contracts.lending import LendingResourceType, LendingUse
from edu_contracts.registry_api import ResourceTargetGroup
from edu_contracts.staff_api import MAX_OFFERS, LendingSettingsChange, OfferInput
from pydantic import (
    BaseModel,
    BeforeValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from edu_portal.staff.forms import IsoDate, date_like
from edu_portal.web.forms import ChangeForm, FormErrors, form_value, read_version
from edu_portal.web.i18n import _

# --- lending settings -------------------------------------------------------------------------

DESCRIPTION_MAX = 200
EMAIL_MAX = 254
ITEMS_MAX = 100_000


def _email(value: Any) -> Any:
    """The digest's address; a rough check, the service checks it fully."""
    text = str(value).strip()[:EMAIL_MAX]
    local, _at, domain = text.rpartition("@")
    if not local or "." not in domain or " " in text:
        raise ValueError("not an e-mail address")
    return text


def _groups(value: Any) -> Any:
    if isinstance(value, str):
        return [g.strip() for g in value.split(",") if g.strip()]
    return value


def _items(value: Any) -> Any:
    if isinstance(value, str) and not (value.isdigit() and int(value) <= ITEMS_MAX):
        raise ValueError("not a whole number of items")
    return value


class OfferRow(BaseModel):
    """One resource row of the settings form."""

    offer_id: str | None = None
    resource_type: LendingResourceType
    description: Annotated[str, BeforeValidator(lambda v: str(v)[:DESCRIPTION_MAX])]
    target_group: ResourceTargetGroup
    use: LendingUse
    for_groups: Annotated[list[str], BeforeValidator(_groups)] = []
    items_available: Annotated[int | None, BeforeValidator(_items)] = None

    def input(self) -> OfferInput:
        return OfferInput(**self.model_dump())


OFFER_FIELDS = tuple(OfferRow.model_fields)


def offer_rows(data: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """The form's resource rows by number (``offer-<n>-<field>``): the existing
    ones and the blank row for a new one, less those ticked for removal and
    the blank row left empty."""
    try:
        count = min(int(form_value(data, "offer_count") or "0"), MAX_OFFERS)
    except ValueError:
        count = 0
    rows: dict[int, dict[str, Any]] = {}
    for i in range(count + 1):
        prefix = f"offer-{i}-"
        if form_value(data, prefix + "remove") == "yes":
            continue
        row = {f: data[prefix + f] for f in OFFER_FIELDS if data.get(prefix + f) is not None}
        if i == count and not form_value(data, prefix + "description"):
            continue
        rows[i] = row
    return rows


class LendingSettingsForm(ChangeForm):
    """The school's lending settings: accepting applications (and when), the
    digest's address and the resources offered, one row each."""

    accepting: bool
    accepting_from: IsoDate | None = None
    accepting_to: IsoDate | None = None
    contact_email: Annotated[str | None, BeforeValidator(_email)] = None
    offers: dict[int, OfferRow] = {}

    @model_validator(mode="before")
    @classmethod
    def _rows(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        accepting = {"yes": True, "no": False}.get(str(data.get("accepting", "")), "")
        fields = {k: v for k, v in data.items() if not k.startswith("offer-")}
        return {**fields, "accepting": accepting, "offers": offer_rows(data)}

    @field_validator("accepting_to")
    @classmethod
    def _period(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        first = info.data.get("accepting_from")
        if value and first and value < first:
            raise PydanticCustomError("bad_period", "the last day is before the first")
        return value

    @classmethod
    def messages(cls) -> dict[str, str]:
        return {
            "accepting": _("Say whether the institution accepts applications"),
            "accepting_from": date_like(),
            "accepting_to": date_like(),
            "accepting_to.bad_period": _("The last day must not be before the first day"),
            "contact_email": _("Enter an e-mail address like pieteikumi@skola.lv"),
            "description": _("Enter a description or model of the resource"),
            "resource_type": _("Choose the resource type"),
            "target_group": _("Choose who the resource is for"),
            "use": _("Choose how the resource is used"),
            "items_available": _("Enter a whole number of items, or leave it empty"),
        }

    @classmethod
    def errors_of(cls, exc: ValidationError) -> FormErrors:
        """As every form's, with a resource row's error at its own field
        (``offer-<n>-<field>``)."""
        messages = cls.messages()
        errors = FormErrors()
        for error in exc.errors():
            loc = error["loc"]
            if loc[:1] == ("offers",) and len(loc) >= 3:
                field_id, name = f"offer-{loc[1]}-{loc[2]}", str(loc[2])
            else:
                field_id = name = str(loc[0]) if loc else "form"
            text = messages.get(f"{name}.{error['type']}") or messages.get(name)
            errors.add(field_id, text or error["msg"])
        return errors

    def body(self) -> LendingSettingsChange:
        return LendingSettingsChange(
            version=max(self.version, 0),
            accepting_applications=self.accepting,
            accepting_from=self.accepting_from,
            accepting_to=self.accepting_to,
            offers=[row.input() for row in self.offers.values()],
            contact_email=self.contact_email,
        )


def lending_as_typed(data: Mapping[str, Any]) -> dict[str, Any]:
    """The settings form shown again as it was typed (with what is wrong), in
    the shape the page shows saved settings in."""

    def date(name: str) -> str | None:
        try:
            return dt.date.fromisoformat(form_value(data, name)).isoformat()
        except ValueError:
            return None

    offers = []
    for row in offer_rows(data).values():
        items = str(row.get("items_available", "")).strip()
        offers.append(
            {
                "offer_id": row.get("offer_id"),
                "resource_type": str(row.get("resource_type", "")),
                "description": str(row.get("description", ""))[:DESCRIPTION_MAX],
                "target_group": str(row.get("target_group", "")),
                "use": str(row.get("use", "")),
                "for_groups": _groups(str(row.get("for_groups", ""))),
                "items_available": int(items) if items.isdigit() else None,
            }
        )
    return {
        "version": read_version(form_value(data, "version")),
        "saved": True,
        "accepting_applications": form_value(data, "accepting") == "yes",
        "accepting_now": None,
        "accepting_from": date("accepting_from"),
        "accepting_to": date("accepting_to"),
        "contact_email": form_value(data, "contact_email")[:EMAIL_MAX] or None,
        "offers": offers,
        # The page's strict templates read these too (who changed it last).
        "updated_at": None,
        "updated_by": None,
    }
