"""``python -m edu_notifications``: run the notifications service."""

from __future__ import annotations

from edu_runtime.serve import serve

from edu_notifications.app import create_app
from edu_notifications.settings import NotificationsSettings


def main() -> None:
    settings = NotificationsSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
