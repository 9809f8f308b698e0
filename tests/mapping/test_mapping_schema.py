"""The JSON Schema printed by ``okrsync schema`` describes the mapping files."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from mapping_helpers import BASE_MAPPING, REPO, contract_yaml_blocks

from okrsync.mapping.models import KeyResult, Where
from okrsync.mapping.schema import mapping_json_schema
from okrsync.mapping.yamlpos import load_yaml

SCHEMA = mapping_json_schema()


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """A small checker for the keywords the generated schema uses."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return conforms(value, SCHEMA["$defs"][name])
    if "anyOf" in schema:
        return any(conforms(value, s) for s in schema["anyOf"])
    if "oneOf" in schema:
        return sum(conforms(value, s) for s in schema["oneOf"]) == 1
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return False
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False and set(value) - set(props):
            return False
        if any(key not in value for key in schema.get("required", [])):
            return False
        extra = schema.get("additionalProperties")
        return all(
            conforms(v, props[k])
            if k in props
            else not isinstance(extra, dict) or conforms(v, extra)
            for k, v in value.items()
        )
    if kind == "array":
        return isinstance(value, list) and all(conforms(v, schema.get("items", {})) for v in value)
    if kind == "string":
        if schema.get("format") == "date":
            return isinstance(value, date) or bool(re.match(r"^\d{4}-\d{2}-\d{2}$", str(value)))
        return isinstance(value, str) and re.search(schema.get("pattern", ""), value) is not None
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    return True


def data_of(text: str) -> Any:
    doc, problems = load_yaml(text, "x.yaml")
    assert problems == [] and doc is not None
    return doc.data


def test_schema_header_and_serialization() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "urn:okrsync:mapping-file:1"
    assert SCHEMA["title"] == "okrsync mapping file (version 1)"
    assert SCHEMA["required"] == ["version", "cycle"]
    assert json.loads(json.dumps(SCHEMA)) == SCHEMA


def test_schema_follows_the_models() -> None:
    defs = SCHEMA["$defs"]
    assert set(defs["KeyResult"]["properties"]) == set(KeyResult.model_fields)
    assert set(defs["Where"]["properties"]) == set(Where.model_fields)
    assert defs["Where"]["additionalProperties"] is False
    assert defs["ThroughputMeasure"]["required"] == ["throughput"]


def test_contract_and_example_mappings_conform() -> None:
    mapping = next(b for b in contract_yaml_blocks() if b.startswith("version: 1"))
    assert conforms(data_of(mapping), SCHEMA)
    for path in sorted((REPO / "mappings").glob("*.yaml")):
        assert conforms(data_of(path.read_text(encoding="utf-8")), SCHEMA), path.name


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("measure: completion", "measure: completness"),
        ("select: {query: parent = SHOP-100}", "select: {qurey: parent = SHOP-100}"),
        ("id: faster-checkout", "id: Faster_Checkout"),
        ("version: 1", "version: 2"),
    ],
)
def test_invalid_mappings_do_not_conform(old: str, new: str) -> None:
    assert conforms(data_of(BASE_MAPPING), SCHEMA)
    assert not conforms(data_of(BASE_MAPPING.replace(old, new)), SCHEMA)
