"""A small structural checker for the OpenAPI schema subset Atlassian's specs use.

``jsonschema`` is not among the project's dependencies, and the specs need only this:
``$ref``, ``allOf``/``anyOf``/``oneOf``, ``type``, ``properties``, ``required``,
``additionalProperties``, ``items``, ``enum`` and item counts. Optional properties
may be ``null``: Atlassian's specs do not mark nullable fields, yet Jira sends ``null``
for empty values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SPECS = Path(__file__).parent / "specs"
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def load_spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPECS / f"{name}.excerpt.json").read_text())
    return spec


class Checker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec["components"]["schemas"]

    def response_schema(self, path: str, method: str, status: str = "200") -> dict[str, Any]:
        response = self.spec["paths"][path][method.lower()]["responses"][status]
        schema: dict[str, Any] = response["content"]["application/json"]["schema"]
        return schema

    def request_schema(self, path: str, method: str) -> dict[str, Any]:
        body = self.spec["paths"][path][method.lower()]["requestBody"]
        schema: dict[str, Any] = body["content"]["application/json"]["schema"]
        return schema

    def problems(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        if "$ref" in schema:
            return self.problems(value, self.schemas[schema["$ref"].rsplit("/", 1)[1]], where)
        found: list[str] = []
        for part in schema.get("allOf", []):
            found += self.problems(value, part, where)
        for keyword in ("anyOf", "oneOf"):
            options = schema.get(keyword)
            if options and all(self.problems(value, o, where) for o in options):
                found.append(f"{where}: matches none of the {keyword} schemas")
        if value is None:
            if schema.get("nullable") is False:
                found.append(f"{where}: null is not allowed")
            return found
        expected = schema.get("type")
        if expected is not None:
            kinds = _TYPES.get(expected, (object,))
            if not isinstance(value, kinds) or (
                expected in ("integer", "number") and isinstance(value, bool)
            ):
                return [*found, f"{where}: expected {expected}, got {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{where}: {value!r} is not one of {schema['enum']}")
        if isinstance(value, dict):
            found += self._object(value, schema, where)
        if isinstance(value, list):
            found += self._array(value, schema, where)
        return found

    def _object(self, value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
        found: list[str] = []
        properties: dict[str, Any] = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{where}: missing required property {name!r}")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                found += self.problems(item, properties[name], f"{where}.{name}")
            elif extra is False and (properties or "allOf" not in schema):
                found.append(f"{where}: undocumented property {name!r}")
            elif isinstance(extra, dict):
                found += self.problems(item, extra, f"{where}.{name}")
        return found

    def _array(self, value: list[Any], schema: dict[str, Any], where: str) -> list[str]:
        found: list[str] = []
        if "minItems" in schema and len(value) < schema["minItems"]:
            found.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            found.append(f"{where}: more than {schema['maxItems']} items")
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                if item is None:
                    found.append(f"{where}[{index}]: null item")
                    continue
                found += self.problems(item, items, f"{where}[{index}]")
        return found

    def assert_valid(self, value: Any, schema: dict[str, Any]) -> None:
        found = self.problems(value, schema)
        assert not found, "\n".join(found[:20])
