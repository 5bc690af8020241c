"""``python -m edu_registry_reader``: run the registry-reader service."""

from __future__ import annotations

from edu_runtime.serve import serve

from edu_registry_reader.app import create_app
from edu_registry_reader.settings import RegistryReaderSettings


def main() -> None:
    settings = RegistryReaderSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
