"""The school's item register (#22): every change of an item is an event,
with who, when, why and (for the lending moves) which application.

Owned by applications (ARCHITECTURE.md, "The item register")."""

from __future__ import annotations

import base64
import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from edu_contracts import topics
from edu_contracts.envelope import Contract, Envelope
from edu_contracts.http import JsonInt, RequestBody
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup


class ItemState(StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"
    ISSUED = "issued"
    IN_REPAIR = "in_repair"
    LOST = "lost"
    STOLEN = "stolen"
    WRITTEN_OFF = "written_off"


class ItemCondition(StrEnum):
    NEW = "new"
    GOOD = "good"
    DAMAGED = "damaged"


class ItemMove(StrEnum):
    REGISTER = "register"  # imported or added
    RESERVE = "reserve"  # picked for an application at "ready for issue"
    RELEASE = "release"  # the application did not go ahead
    ISSUE = "issue"  # the learner confirmed the receipt
    RETURN = "return"  # back at the school, in good order
    RETURN_DAMAGED = "return_damaged"  # back, to be repaired
    REPAIRED = "repaired"
    MARK_LOST = "mark_lost"  # a confirmed loss
    MARK_STOLEN = "mark_stolen"  # a confirmed theft
    FOUND = "found"
    WRITE_OFF = "write_off"


class ItemChangePayload(Contract):
    item_id: UUID
    institution_id: str
    resource_type: LendingResourceType
    target_group: ResourceTargetGroup
    inventory_number: str
    move: ItemMove
    state_before: ItemState | None
    state_after: ItemState
    version: int
    at: dt.datetime
    by: str = Field(description="The staff member's name, as in the item's history.")
    why: str = ""
    application_id: UUID | None = None


class ItemChanged(Envelope):
    """One move of one item (its registration included)."""

    TOPIC: ClassVar[str] = topics.ITEM_EVENTS
    event_type: Literal["item.changed.v1"] = "item.changed.v1"
    schema_version: Literal[1] = 1
    payload: ItemChangePayload

    def partition_key(self) -> str:
        return str(self.payload.item_id)


ItemEvent = Annotated[ItemChanged, Field(discriminator="event_type")]


# --- the staff HTTP API (/api/v1/staff/item-register) --------------------------


class ItemChangeView(Contract):
    at: dt.datetime
    by: str
    move: ItemMove
    state_before: ItemState | None
    state_after: ItemState
    why: str
    application_id: UUID | None


class ItemView(Contract):
    item_id: UUID
    resource_type: LendingResourceType
    model: str
    inventory_number: str
    serial_number: str
    target_group: ResourceTargetGroup
    funding_note: str
    condition: ItemCondition
    state: ItemState
    version: int
    application_id: UUID | None
    history: tuple[ItemChangeView, ...] = Field(description="Oldest first; empty in lists.")


class StockLine(Contract):
    resource_type: LendingResourceType
    target_group: ResourceTargetGroup
    available: int
    reserved: int
    issued: int
    in_repair: int
    lost: int
    stolen: int
    written_off: int
    awaiting: int = Field(
        description="Granted applications of this type and target group still waiting for "
        "an item (status granted, no item reserved yet)."
    )
    free: int = Field(
        description="available - awaiting, never below 0: how many more applications "
        "may be granted (a bulk grant stops here)."
    )


class StockView(Contract):
    lines: tuple[StockLine, ...]


class NewItem(RequestBody):
    """One item, as the school registers it by hand."""

    resource_type: LendingResourceType
    model: str = Field(min_length=1, max_length=120)
    inventory_number: str = Field(min_length=1, max_length=40)
    serial_number: str = Field(min_length=1, max_length=80)
    target_group: ResourceTargetGroup
    funding_note: str = Field(default="", max_length=200)
    condition: ItemCondition = ItemCondition.NEW


MAX_IMPORT_BYTES = 5 * 1024 * 1024
BASE64_MAX = (MAX_IMPORT_BYTES + 2) // 3 * 4
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class ItemImport(RequestBody):
    """A spreadsheet of items, CSV (UTF-8) or XLSX, with Latvian or English
    headers: Resursa veids, Modelis, Inventāra numurs, Sērijas numurs, Mērķa
    grupa, Finansējums, Stāvoklis. All or nothing."""

    filename: str = Field(pattern=r"(?i)^[^/\\]{1,120}\.(csv|xlsx)$")
    content: str = Field(
        max_length=BASE64_MAX,
        pattern=BASE64_PATTERN,
        description="The file, base64-encoded (standard alphabet, padded); at most 5 MB.",
    )

    def data(self) -> bytes:
        return base64.b64decode(self.content)


class ImportProblem(Contract):
    line: int = Field(description="As the spreadsheet numbers it: the header is line 1.")
    reason: str = Field(
        examples=["duplicate_inventory_number", "unknown_resource_type", "missing_serial_number"]
    )
    column: str | None = None
    value: str | None = None


class ImportOutcome(Contract):
    """All or nothing: either every row registered (``imported``) or none, and
    ``problems`` names every bad row (like a bulk action, a file's problems are
    an answer, not a refusal)."""

    imported: int
    problems: tuple[ImportProblem, ...] = ()


class SchoolMove(StrEnum):
    """The moves staff make on the register itself; the lending moves are
    made on the application's page."""

    REPAIRED = "repaired"
    FOUND = "found"
    WRITE_OFF = "write_off"


class ItemMoveRequest(RequestBody):
    version: JsonInt = Field(ge=1, description="The item's version this move is based on.")
    move: SchoolMove
    why: str = Field(default="", max_length=500)


class ItemReservation(RequestBody):
    """Ready for issue with the register's item (found by its number or
    scanned): reserved for the application in the same transaction."""

    version: JsonInt = Field(ge=1, description="The application version this change is based on.")
    item_id: UUID


# --- stocktakes (inventarizācija) -------------------------------------------------


class StocktakeState(StrEnum):
    OPEN = "open"
    FINISHED = "finished"


class StocktakeItem(Contract):
    item_id: UUID
    inventory_number: str
    serial_number: str
    model: str
    state: ItemState = Field(description="The item's state when the stocktake started.")
    seen_at: dt.datetime | None = None
    seen_by: str | None = None


class StocktakeView(Contract):
    """A stocktake and its report: every item expected on the premises, seen or not."""

    stocktake_id: UUID
    state: StocktakeState
    version: int
    started_at: dt.datetime
    started_by: str
    finished_at: dt.datetime | None
    finished_by: str | None
    expected: int
    seen: int
    not_seen: tuple[StocktakeItem, ...]
    items: tuple[StocktakeItem, ...] = Field(description="Every expected item; empty in lists.")


class Sighting(RequestBody):
    """An item seen: its inventory or serial number, as typed or scanned."""

    number: str = Field(min_length=1, max_length=80, pattern=r"\S")


class StocktakeFinish(RequestBody):
    version: JsonInt = Field(ge=1, description="The stocktake version you looked at.")
