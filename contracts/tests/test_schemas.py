"""The committed JSON Schemas and AsyncAPI document match the code, and no
published schema changes incompatibly without a new event version."""

import copy

from edu_tools.schemas import contract_schemas, incompatibilities, incompatible_changes, stale


def test_committed_schemas_and_asyncapi_are_current() -> None:
    outdated = stale()
    assert not outdated, f"run `make schemas` and commit: {[str(p) for p in outdated]}"


def test_no_published_schema_changed_incompatibly() -> None:
    assert incompatible_changes() == {}


def test_compatibility_check_catches_breaking_changes() -> None:
    schema = contract_schemas()["application.status-changed.v1.json"]
    payload = schema["$defs"]["StatusChangedPayload"]

    removed = copy.deepcopy(schema)
    del removed["$defs"]["StatusChangedPayload"]["properties"]["version"]
    assert any("removed" in p for p in incompatibilities(schema, removed))

    required = copy.deepcopy(schema)
    required["$defs"]["StatusChangedPayload"]["required"].append("institution_id")
    assert any("became required" in p for p in incompatibilities(schema, required))

    retyped = copy.deepcopy(schema)
    retyped["$defs"]["StatusChangedPayload"]["properties"]["version"]["type"] = "string"
    assert any("type changed" in p for p in incompatibilities(schema, retyped))

    added = copy.deepcopy(schema)
    added["$defs"]["StatusChangedPayload"]["properties"]["note"] = {"type": "string"}
    assert incompatibilities(schema, added) == []
    assert "version" in payload["properties"]
