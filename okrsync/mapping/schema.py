"""The JSON Schema of mapping files, generated from the models (``okrsync schema``).

Editors that understand JSON Schema (VS Code's YAML extension, JetBrains IDEs) use it
for completion and inline errors; the models stay the single source of truth.
"""

from __future__ import annotations

from typing import Any

from okrsync.mapping.models import MEASURE_NAMES, MappingFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:okrsync:mapping-file:1"


def mapping_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a version 1 mapping file."""
    schema = MappingFile.model_json_schema(mode="validation")
    for definition in schema.get("$defs", {}).values():
        # ``{throughput: {...}}`` has defaults inside, but the key itself names the measure.
        properties = definition.get("properties", {})
        if len(properties) == 1 and next(iter(properties)) in MEASURE_NAMES:
            definition["required"] = list(properties)
    _one_or_many(schema["$defs"]["Where"])
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "okrsync mapping file (version 1)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def _one_or_many(definition: dict[str, Any]) -> None:
    """``type: story`` means ``type: [story]`` (the model lists a single value itself)."""
    for prop in definition["properties"].values():
        options = prop.get("anyOf", [])
        items = [o["items"] for o in options if o.get("type") == "array" and "items" in o]
        prop["anyOf"] = items + options
