"""HTTP contract of the documents service used by the wizard's step 5.

- ``GET /api/v1/documents/receipt-documents?lang=lv|en`` → ``ReceiptDocuments``:
  the documents a citizen will confirm electronically when receiving a resource.
- ``GET /api/v1/documents/receipt-documents/{code}/preview`` → a sample PDF
  ("PARAUGS"/"SAMPLE"), same layout as the real one.
"""

from __future__ import annotations

from edu_contracts.envelope import Contract


class ReceiptDocument(Contract):
    code: str  # e.g. handover_act, usage_rules
    title: str
    version: str
    preview_path: str


class ReceiptDocuments(Contract):
    items: tuple[ReceiptDocument, ...]
