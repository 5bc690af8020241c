"""Commands to, and events from, the documents service.

``documents.render-requested.v1`` on ``edu.documents.commands.v1`` asks for a PDF;
the requester chooses ``document_id`` so that a command delivered twice yields
one document. ``documents.rendered.v1`` on ``edu.documents.events.v1`` announces
the result and carries no personal data.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from edu_contracts import topics
from edu_contracts.envelope import Contract, Envelope
from edu_contracts.my_data import MyDataBlocks, RepresentationBasis
from edu_contracts.personal_code import PersonalCode


class DocumentKind(StrEnum):
    HANDOVER_ACT = "handover_act"  # pieņemšanas-nodošanas akts
    RETURN_ACT = "return_act"
    MY_DATA_PRINTOUT = "my_data_printout"


class Language(StrEnum):
    LV = "lv"
    EN = "en"


class InstitutionRef(Contract):
    institution_id: str
    name: str
    registration_number: str | None = None
    address: str | None = None


class PersonRef(Contract):
    personal_code: PersonalCode
    full_name: str


class ItemRef(Contract):
    resource_type: str
    resource_label: str
    model: str
    inventory_number: str
    serial_number: str


class AcceptedDocument(Contract):
    title: str
    version: str


class ElectronicConfirmation(Contract):
    confirmed_by: PersonRef
    confirmed_at: AwareDatetime
    auth_method: str = Field(
        description="How the gateway authenticated the person: bank, eparaksts, eid"
    )


class HandoverActContent(Contract):
    kind: Literal[DocumentKind.HANDOVER_ACT] = DocumentKind.HANDOVER_ACT
    institution: InstitutionRef
    application_reference: str | None = Field(
        default=None, description="The application's human reference, shown under the number."
    )
    recipient: PersonRef
    learner: PersonRef | None = Field(
        default=None, description="Present when the recipient is a parent or guardian."
    )
    item: ItemRef
    accepted_documents: tuple[AcceptedDocument, ...]
    confirmation: ElectronicConfirmation


class ReturnActContent(Contract):
    kind: Literal[DocumentKind.RETURN_ACT] = DocumentKind.RETURN_ACT
    institution: InstitutionRef
    application_reference: str | None = Field(
        default=None, description="The application's human reference, shown under the number."
    )
    returned_by: PersonRef | None = None
    learner: PersonRef | None = None
    item: ItemRef
    condition: str = Field(description="good | damaged | incomplete | lost | stolen")
    condition_note: str | None = None
    received_by: str = Field(description="Name or id of the staff member who took it back.")
    returned_at: AwareDatetime


class MyDataPrintoutContent(Contract):
    kind: Literal[DocumentKind.MY_DATA_PRINTOUT] = DocumentKind.MY_DATA_PRINTOUT
    subject: PersonRef
    basis: RepresentationBasis
    blocks: MyDataBlocks
    message: str | None = Field(
        default=None, description="The no-data message, when blocks is empty."
    )
    extracted_at: AwareDatetime


DocumentContent = Annotated[
    HandoverActContent | ReturnActContent | MyDataPrintoutContent, Field(discriminator="kind")
]


class RenderRequestedPayload(Contract):
    document_id: UUID
    language: Language = Language.LV
    application_id: UUID | None = None
    institution_id: str | None = None
    reader_code: PersonalCode = Field(
        description="The citizen the document concerns and who may read it."
    )
    content: DocumentContent


class RenderRequested(Envelope):
    TOPIC: ClassVar[str] = topics.DOCUMENT_COMMANDS
    event_type: Literal["documents.render-requested.v1"] = "documents.render-requested.v1"
    schema_version: Literal[1] = 1
    payload: RenderRequestedPayload

    def partition_key(self) -> str:
        return str(self.payload.document_id)


class RenderedPayload(Contract):
    document_id: UUID
    number: str
    kind: DocumentKind
    application_id: UUID | None = None
    institution_id: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int
    rendered_at: AwareDatetime


class Rendered(Envelope):
    TOPIC: ClassVar[str] = topics.DOCUMENT_EVENTS
    event_type: Literal["documents.rendered.v1"] = "documents.rendered.v1"
    schema_version: Literal[1] = 1
    payload: RenderedPayload

    def partition_key(self) -> str:
        return str(self.payload.document_id)


class RenderFailedPayload(Contract):
    document_id: UUID
    kind: DocumentKind
    application_id: UUID | None = None
    reason: str
    failed_at: AwareDatetime


class RenderFailed(Envelope):
    TOPIC: ClassVar[str] = topics.DOCUMENT_EVENTS
    event_type: Literal["documents.render-failed.v1"] = "documents.render-failed.v1"
    schema_version: Literal[1] = 1
    payload: RenderFailedPayload

    def partition_key(self) -> str:
        return str(self.payload.document_id)


DocumentCommand = Annotated[RenderRequested, Field(discriminator="event_type")]
DocumentEvent = Annotated[Rendered | RenderFailed, Field(discriminator="event_type")]
