"""Regenerate the spec excerpts in this folder from Atlassian's published descriptions.

Run by hand (not a test): ``python tests/contract/specs/extract_specs.py SPEC_DIR``,
where SPEC_DIR holds ``jira-cloud-platform.v3.json`` and ``jira-software.v3.json``.
Only the operations the sandbox serves are kept, with the schemas they reference.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

PLATFORM_OPERATIONS = {
    "/rest/api/3/serverInfo": ["get"],
    "/rest/api/3/myself": ["get"],
    "/rest/api/3/search/jql": ["get", "post"],
    "/rest/api/3/search": ["get", "post"],
    "/rest/api/3/search/approximate-count": ["post"],
    "/rest/api/3/issue/bulkfetch": ["post"],
    "/rest/api/3/changelog/bulkfetch": ["post"],
    "/rest/api/3/issue": ["post"],
    "/rest/api/3/issue/{issueIdOrKey}": ["get", "put"],
    "/rest/api/3/issue/{issueIdOrKey}/changelog": ["get"],
    "/rest/api/3/issue/{issueIdOrKey}/editmeta": ["get"],
    "/rest/api/3/issue/{issueIdOrKey}/transitions": ["get", "post"],
    "/rest/api/3/issue/{issueIdOrKey}/comment": ["get", "post"],
    "/rest/api/3/issue/{issueIdOrKey}/comment/{id}": ["get", "put", "delete"],
    "/rest/api/3/comment/{commentId}/properties": ["get"],
    "/rest/api/3/comment/{commentId}/properties/{propertyKey}": ["get", "put", "delete"],
    "/rest/api/3/issue/{issueIdOrKey}/properties": ["get"],
    "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}": ["get", "put", "delete"],
    "/rest/api/3/field": ["get"],
    "/rest/api/3/status": ["get"],
    "/rest/api/3/statuscategory": ["get"],
    "/rest/api/3/project": ["get"],
    "/rest/api/3/project/{projectIdOrKey}": ["get"],
    "/rest/api/3/issuetype": ["get"],
    "/rest/api/3/priority": ["get"],
    "/rest/api/3/resolution": ["get"],
}
SOFTWARE_OPERATIONS = {
    "/rest/agile/1.0/board": ["get"],
    "/rest/agile/1.0/board/{boardId}": ["get"],
    "/rest/agile/1.0/board/{boardId}/configuration": ["get"],
    "/rest/agile/1.0/board/{boardId}/sprint": ["get"],
    "/rest/agile/1.0/sprint/{sprintId}": ["get"],
    "/rest/agile/1.0/sprint/{sprintId}/issue": ["get"],
}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


_PROSE = ("description", "example", "examples", "x-atlassian-connect-scope")


def _strip(node: Any) -> Any:
    """Drop prose and examples: the excerpt keeps shapes, not documentation."""
    if isinstance(node, dict):
        kept: dict[str, Any] = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                # Property *names* such as "description" are shape, not prose.
                kept[key] = {name: _strip(schema) for name, schema in value.items()}
            elif key not in _PROSE:
                kept[key] = _strip(value)
        return kept
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def excerpt(spec: dict[str, Any], operations: dict[str, list[str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, methods in operations.items():
        item = spec["paths"][path]
        kept = {}
        for method in methods:
            op = item[method]
            kept[method] = _strip(
                {
                    "operationId": op.get("operationId"),
                    "deprecated": op.get("deprecated", False),
                    "parameters": op.get("parameters", []),
                    "requestBody": op.get("requestBody"),
                    "responses": {
                        code: {"content": r["content"]} if "content" in r else {}
                        for code, r in op["responses"].items()
                    },
                }
            )
            for code, response in op["responses"].items():
                media = response.get("content", {}).get("application/json", {})
                if "schema" not in media and "example" in media:
                    # Some Agile responses are documented by example only: keep it.
                    kept[method]["responses"][code]["content"]["application/json"] = {
                        "example": media["example"]
                    }
        paths[path] = kept
    schemas = spec.get("components", {}).get("schemas", {})
    wanted: set[str] = set()
    _refs(paths, wanted)
    pending = set(wanted)
    while pending:
        name = pending.pop()
        found: set[str] = set()
        _refs(schemas[name], found)
        pending |= found - wanted
        wanted |= found
    return {
        "openapi": spec.get("openapi"),
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "paths": paths,
        "components": {"schemas": {n: _strip(schemas[n]) for n in sorted(wanted)}},
    }


def main(spec_dir: str) -> None:
    source = Path(spec_dir)
    for name, operations in (
        ("jira-cloud-platform.v3", PLATFORM_OPERATIONS),
        ("jira-software.v3", SOFTWARE_OPERATIONS),
    ):
        spec = json.loads((source / f"{name}.json").read_text())
        text = json.dumps(excerpt(spec, operations), indent=1, sort_keys=True)
        (HERE / f"{name}.excerpt.json").write_text(text + "\n")


if __name__ == "__main__":
    # By default the published descriptions sit in the design folder beside the repo.
    main(sys.argv[1] if len(sys.argv) > 1 else str(HERE.parents[3] / "shared" / "specs"))
