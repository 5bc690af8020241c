"""``python -m edu_retention``: run the retention service."""

from __future__ import annotations

from edu_runtime.serve import serve

from edu_retention.app import create_app
from edu_retention.settings import RetentionSettings


def main() -> None:
    settings = RetentionSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
