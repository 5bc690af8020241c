"""``python -m edu_documents``: run the documents service."""

from __future__ import annotations

from edu_runtime.serve import serve

from edu_documents.app import create_app
from edu_documents.settings import DocumentsSettings


def main() -> None:
    settings = DocumentsSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
