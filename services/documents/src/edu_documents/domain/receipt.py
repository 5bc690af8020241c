"""The documents a citizen reads at wizard step 5 and confirms on receipt, and
the fictitious content their previews are rendered from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from edu_contracts.documents import (
    AcceptedDocument,
    ElectronicConfirmation,
    HandoverActContent,
    InstitutionRef,
    ItemRef,
    Language,
    PersonRef,
)

RECEIPT_VERSION = "2026-09-01"
HANDOVER_ACT = "handover_act"
USAGE_RULES = "usage_rules"


@dataclass(frozen=True)
class ReceiptDocumentSpec:
    code: str
    titles: dict[Language, str]
    version: str = RECEIPT_VERSION


RECEIPT_DOCUMENTS: tuple[ReceiptDocumentSpec, ...] = (
    ReceiptDocumentSpec(
        code=USAGE_RULES,
        titles={
            Language.LV: "Izglītības resursa lietošanas noteikumi",
            Language.EN: "Terms of use of the education resource",
        },
    ),
    ReceiptDocumentSpec(
        code=HANDOVER_ACT,
        titles={
            Language.LV: "Pieņemšanas-nodošanas akts",
            Language.EN: "Handover-acceptance act",
        },
    ),
)


def receipt_document(code: str) -> ReceiptDocumentSpec | None:
    return next((d for d in RECEIPT_DOCUMENTS if d.code == code), None)


def accepted_documents(language: Language) -> tuple[AcceptedDocument, ...]:
    """What a handover act lists as accepted: the step-5 documents other than
    the act itself."""
    return tuple(
        AcceptedDocument(title=d.titles[language], version=d.version)
        for d in RECEIPT_DOCUMENTS
        if d.code != HANDOVER_ACT
    )


# Fictitious people and institution, with every Latvian diacritic in their names.
SAMPLE_INSTITUTION = InstitutionRef(
    institution_id="sample",
    name="Ķēniņciema Valsts ģimnāzija",
    registration_number="2900000000",
    address="Skolas iela 1, Ķēniņciems, LV-0000",
)
SAMPLE_PARENT = PersonRef(personal_code="320000-00001", full_name="Žanete Čakša-Ūdre")
SAMPLE_LEARNER = PersonRef(personal_code="320000-00002", full_name="Ģirts Ļoļa-Ņikitins")
SAMPLE_ITEM = ItemRef(
    resource_type="laptop",
    resource_label="Portatīvais dators",
    model="Paraugs 14 (2026)",
    inventory_number="INV-000000",
    serial_number="SN-0000000000",
)
SAMPLE_TIME = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def sample_handover_act(language: Language) -> HandoverActContent:
    return HandoverActContent(
        institution=SAMPLE_INSTITUTION,
        recipient=SAMPLE_PARENT,
        learner=SAMPLE_LEARNER,
        item=SAMPLE_ITEM,
        accepted_documents=accepted_documents(language),
        confirmation=ElectronicConfirmation(
            confirmed_by=SAMPLE_PARENT, confirmed_at=SAMPLE_TIME, auth_method="eparaksts"
        ),
    )
