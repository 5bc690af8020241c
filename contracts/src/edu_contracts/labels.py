"""The words people read for the contracts' enums, in Latvian and English:
one table per enum, pure data (no logic, no gettext): application statuses,
resource types, target groups and return conditions.

The one source of these words. The applications service writes them into
its answers and exports (CSV/XLSX); the portal shows them on the citizen and
staff pages (``edu_portal.labels`` adds the tag colours). A new member of an
enum without its words here fails ``contracts/tests/test_labels.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, TypeAlias

from edu_contracts.applications import ApplicationStatus as S
from edu_contracts.applications import ReturnCondition
from edu_contracts.documents import Language
from edu_contracts.items import ItemCondition, ItemMove, ItemState
from edu_contracts.lending import LendingResourceType
from edu_contracts.registry_api import ResourceTargetGroup

LV, EN = Language.LV, Language.EN

Words: TypeAlias = Mapping[Language, str]

APPLICATION_STATUS: Final[Mapping[S, Words]] = MappingProxyType(
    {
        S.DRAFT: {LV: "Melnraksts", EN: "Draft"},
        S.BEING_VERIFIED: {LV: "Tiek pārbaudīts", EN: "Being verified"},
        S.SUBMITTED: {LV: "Iesniegts", EN: "Submitted"},
        S.REJECTED: {LV: "Noraidīts pārbaudē", EN: "Rejected by verification"},
        S.POSTPONED: {LV: "Izskatīšana atlikta", EN: "Review postponed"},
        S.GRANTED: {LV: "Piešķirts", EN: "Granted"},
        S.REFUSED: {LV: "Atteikts", EN: "Refused"},
        S.READY_FOR_ISSUE: {LV: "Gatavs izsniegšanai", EN: "Ready for issue"},
        S.ISSUED: {LV: "Izsniegts", EN: "Issued"},
        S.RETURNED: {LV: "Atgriezts", EN: "Returned"},
        S.WITHDRAWN: {LV: "Atsaukts", EN: "Withdrawn"},
    }
)

RESOURCE_TYPE: Final[Mapping[LendingResourceType, Words]] = MappingProxyType(
    {
        LendingResourceType.LAPTOP: {LV: "Portatīvais dators", EN: "Laptop"},
        LendingResourceType.TABLET: {LV: "Planšetdators", EN: "Tablet"},
        LendingResourceType.OTHER: {LV: "Cits resurss", EN: "Other resource"},
    }
)

TARGET_GROUP: Final[Mapping[ResourceTargetGroup, Words]] = MappingProxyType(
    {
        ResourceTargetGroup.EVERYONE: {LV: "Visiem izglītojamajiem", EN: "For every learner"},
        ResourceTargetGroup.SOCIALLY_SUPPORTED: {
            LV: "Tikai sociāli atbalstāmo grupu izglītojamajiem",
            EN: "Only for learners of socially supported groups",
        },
    }
)

RETURN_CONDITION: Final[Mapping[ReturnCondition, Words]] = MappingProxyType(
    {
        ReturnCondition.GOOD: {LV: "Labā stāvoklī", EN: "Good"},
        ReturnCondition.DAMAGED: {LV: "Bojāts", EN: "Damaged"},
        ReturnCondition.INCOMPLETE: {LV: "Nepilnā komplektācijā", EN: "Incomplete"},
        ReturnCondition.LOST: {LV: "Nozaudēts", EN: "Lost"},
        ReturnCondition.STOLEN: {LV: "Nozagts", EN: "Stolen"},
    }
)

ITEM_STATE: Final[Mapping[ItemState, Words]] = MappingProxyType(
    {
        ItemState.AVAILABLE: {LV: "Pieejams", EN: "Available"},
        ItemState.RESERVED: {LV: "Rezervēts", EN: "Reserved"},
        ItemState.ISSUED: {LV: "Izsniegts", EN: "Issued"},
        ItemState.IN_REPAIR: {LV: "Remontā", EN: "In repair"},
        ItemState.LOST: {LV: "Nozaudēts", EN: "Lost"},
        ItemState.STOLEN: {LV: "Nozagts", EN: "Stolen"},
        ItemState.WRITTEN_OFF: {LV: "Norakstīts", EN: "Written off"},
    }
)

ITEM_CONDITION: Final[Mapping[ItemCondition, Words]] = MappingProxyType(
    {
        ItemCondition.NEW: {LV: "Jauns", EN: "New"},
        ItemCondition.GOOD: {LV: "Labā stāvoklī", EN: "Good"},
        ItemCondition.DAMAGED: {LV: "Bojāts", EN: "Damaged"},
    }
)

ITEM_MOVE: Final[Mapping[ItemMove, Words]] = MappingProxyType(
    {
        ItemMove.REGISTER: {LV: "Reģistrēts", EN: "Registered"},
        ItemMove.RESERVE: {LV: "Rezervēts iesniegumam", EN: "Reserved for an application"},
        ItemMove.RELEASE: {LV: "Rezervācija atcelta", EN: "Reservation released"},
        ItemMove.ISSUE: {LV: "Izsniegts", EN: "Issued"},
        ItemMove.RETURN: {LV: "Atgriezts", EN: "Returned"},
        ItemMove.RETURN_DAMAGED: {LV: "Atgriezts bojāts", EN: "Returned damaged"},
        ItemMove.REPAIRED: {LV: "Salabots", EN: "Repaired"},
        ItemMove.MARK_LOST: {LV: "Nozaudēts", EN: "Lost"},
        ItemMove.MARK_STOLEN: {LV: "Nozagts", EN: "Stolen"},
        ItemMove.FOUND: {LV: "Atrasts", EN: "Found"},
        ItemMove.WRITE_OFF: {LV: "Norakstīts", EN: "Written off"},
    }
)
