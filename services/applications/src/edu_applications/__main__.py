"""``python -m edu_applications``: run the applications service."""

from __future__ import annotations

from edu_runtime.serve import serve

from edu_applications.app import create_app
from edu_applications.settings import ApplicationsSettings


def main() -> None:
    settings = ApplicationsSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
