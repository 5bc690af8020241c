"""Export of the contracts' JSON Schemas and of the AsyncAPI document.

Both are committed (contracts/schemas/, docs/asyncapi.json) so reviewers see a
contract change in the diff; tests fail when the committed files are stale or a
published schema changed incompatibly without a new version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from edu_contracts.catalog import EVENTS, event_type_of
from edu_contracts.dead_letter import DeadLetter

REPO = Path(__file__).resolve().parents[3]
SCHEMA_DIR = REPO / "contracts" / "schemas"
ASYNCAPI_FILE = REPO / "docs" / "asyncapi.json"


def contract_schemas() -> dict[str, dict[str, Any]]:
    schemas = {f"{event_type_of(m)}.json": m.model_json_schema() for m in EVENTS}
    schemas["dead-letter.v1.json"] = DeadLetter.model_json_schema()
    return schemas


def asyncapi_document() -> dict[str, Any]:
    from edu_applications.app import create_app as applications
    from edu_applications.settings import ApplicationsSettings
    from edu_documents.app import create_app as documents
    from edu_documents.settings import DocumentsSettings
    from edu_notifications.app import create_app as notifications
    from edu_notifications.settings import NotificationsSettings
    from edu_registry_reader.app import create_app as registry
    from edu_registry_reader.settings import RegistryReaderSettings
    from edu_retention.app import create_app as retention
    from edu_retention.settings import RetentionSettings
    from faststream.specification import AsyncAPI

    apps = [
        registry(RegistryReaderSettings()),
        applications(ApplicationsSettings()),
        documents(DocumentsSettings()),
        retention(RetentionSettings()),
        notifications(NotificationsSettings()),
    ]
    brokers = [app.state["runtime"].broker for app in apps]
    spec = AsyncAPI(
        *brokers,
        title="Education e-services — Kafka topics",
        version="1.0.0",
        description="Events and commands between registry-reader, applications, documents, "
        "retention and notifications. Every message is a JSON envelope (contracts/src/edu_contracts/envelope.py); "
        "W3C trace context travels in the Kafka headers.",
    )
    doc: dict[str, Any] = spec.to_specification().to_jsonable()
    return doc


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[Path, str]:
    files = {SCHEMA_DIR / name: _dump(schema) for name, schema in contract_schemas().items()}
    files[ASYNCAPI_FILE] = _dump(asyncapi_document())
    return files


class IncompatibleContractChange(Exception):
    pass


def write() -> list[Path]:
    """Regenerate the files; refuses to overwrite a published schema with an
    incompatible one (publish a new version of the event instead)."""
    broken = incompatible_changes()
    if broken:
        raise IncompatibleContractChange(json.dumps(broken, indent=2))
    changed = []
    for path, text in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed


def stale() -> list[Path]:
    return [p for p, text in expected_files().items() if not p.exists() or p.read_text() != text]


def incompatibilities(old: Any, new: Any, path: str = "$") -> list[str]:  # noqa: PLR0912
    """Ways in which ``new`` would reject or misread messages valid under ``old``:
    a removed property, a property that became required, a changed type, a
    narrowed enum. Adding optional properties is compatible."""
    problems: list[str] = []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return problems
    for key in ("type", "$ref", "const", "format"):
        if old.get(key) != new.get(key):
            problems.append(f"{path}: {key} changed from {old.get(key)!r} to {new.get(key)!r}")
    if "enum" in old and not set(old["enum"]) <= set(new.get("enum") or old["enum"]):
        problems.append(f"{path}: enum values removed")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, schema in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: removed")
        else:
            problems.extend(incompatibilities(schema, new_props[name], f"{path}.{name}"))
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"{path}.{name}: became required")
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in old or combinator in new:
            if len(old.get(combinator, [])) > len(new.get(combinator, [])):
                problems.append(f"{path}: {combinator} lost alternatives")
            for i, (o, n) in enumerate(
                zip(old.get(combinator, []), new.get(combinator, []), strict=False)
            ):
                problems.extend(incompatibilities(o, n, f"{path}.{combinator}[{i}]"))
    if "items" in old:
        problems.extend(incompatibilities(old["items"], new.get("items", {}), f"{path}[]"))
    for name, schema in old.get("$defs", {}).items():
        if name in new.get("$defs", {}):
            problems.extend(incompatibilities(schema, new["$defs"][name], f"$defs.{name}"))
    return problems


def incompatible_changes() -> dict[str, list[str]]:
    """Published (committed) schemas that the current contracts would break."""
    result: dict[str, list[str]] = {}
    for name, schema in contract_schemas().items():
        path = SCHEMA_DIR / name
        if path.exists():
            problems = incompatibilities(json.loads(path.read_text()), schema)
            if problems:
                result[name] = problems
    return result
