"""``okrsync validate`` and ``okrsync schema`` from the command line (no Jira needed)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_harness import EXAMPLE_MAPPINGS, REPO, invoke

PROBLEM = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")

CONFIG = """\
database: sqlite:///okrsync.db
mappings: [mappings/]
timezone: Europe/Berlin
databse: x
connectors:
  jira:
    type: jira
    url: https://acme.atlassian.net
    email: bot@acme.com
    token: ${E2E_JIRA_TOKEN}
"""
BROKEN_A = """\
version: 1
cycle: 2027-Q5
defaults: {source: jira}
objectives:
  - id: Bad_Id
    title: Faster checkout
    key_results:
      - id: shared
        title: Ship it
        select: {query: project = SHOP}
        measure: cuont
        target: 3
"""
BROKEN_B = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: payments
    title: Payments
    key_results:
      - id: shared
        title: Same id as in a.yaml
        select: {query: project = PAY}
        measure: count
        baseline: 1
        target: 0
        push: [{to: jria, issue: OKR-5, comment: true}]
"""


def test_the_example_configs_and_mappings_are_valid() -> None:
    cloud = invoke(
        "--config",
        str(REPO / "config/okrsync.yaml"),
        "validate",
        env={"JIRA_API_TOKEN": "t0ken", "GITHUB_TOKEN": "gh-t0ken"},
    )
    assert cloud.exit_code == 0, cloud
    assert cloud.stdout.strip() == "ok: 4 mapping files, 5 objectives, 14 key results"
    assert cloud.stderr == ""
    datacenter = invoke(
        "--config",
        str(REPO / "config/okrsync.datacenter.yaml"),
        "validate",
        env={"JIRA_PAT": "pat-value", "OKRSYNC_DB_PASSWORD": "db-password"},
    )
    assert datacenter.exit_code == 0, datacenter


def test_every_problem_of_every_file_is_reported_with_its_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "okrsync.yaml").write_text(CONFIG)
    (tmp_path / "mappings/a.yaml").write_text(BROKEN_A)
    (tmp_path / "mappings/b.yaml").write_text(BROKEN_B)
    monkeypatch.chdir(tmp_path)  # ./okrsync.yaml is found; files are shown relative

    outcome = invoke("validate")

    assert outcome.exit_code == 1, outcome
    lines = outcome.stdout.splitlines()
    matches = [PROBLEM.match(line) for line in lines]
    assert all(matches), lines  # one problem per line, nothing else on stdout
    found = {(m["file"], int(m["line"]), int(m["col"])): m["message"] for m in matches if m}
    # Positions counted by hand in the texts above.
    assert set(found) == {
        ("mappings/a.yaml", 2, 8),  # cycle: 2027-Q5
        ("mappings/a.yaml", 5, 9),  # id: Bad_Id
        ("mappings/a.yaml", 11, 18),  # measure: cuont
        ("mappings/b.yaml", 8, 9),  # the KR whose id repeats a.yaml's
        ("mappings/b.yaml", 14, 21),  # to: jria
        ("okrsync.yaml", 4, 1),  # databse:
    }
    assert "did you mean 'count'?" in found[("mappings/a.yaml", 11, 18)]
    assert "valid measures: count, done, completion" in found[("mappings/a.yaml", 11, 18)]
    assert "also defined at mappings/a.yaml:8:9" in found[("mappings/b.yaml", 8, 9)]
    assert "defined connectors: jira" in found[("mappings/b.yaml", 14, 21)]
    assert "valid keys: database, mappings" in found[("okrsync.yaml", 4, 1)]
    assert outcome.stderr.strip() == "6 problems found"


def test_other_commands_report_problems_on_stderr_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "okrsync.yaml").write_text(CONFIG.replace("databse: x\n", ""))
    (tmp_path / "mappings/a.yaml").write_text(BROKEN_A.replace("cuont", "count"))
    monkeypatch.chdir(tmp_path)

    outcome = invoke("plan", "--json")

    assert outcome.exit_code == 1, outcome
    assert outcome.stdout == ""  # nothing a script would try to parse as the plan
    assert outcome.stderr.splitlines() == [
        "mappings/a.yaml:2:8: error: '2027-Q5' is not a cycle: write 2027-Q1..Q4, 2027-H1/H2, "
        "this-quarter, this-half, or {start: 2027-01-01, end: 2027-03-31}",
        "mappings/a.yaml:5:9: error: 'Bad_Id' is not a valid id: use lower-case letters, digits "
        "and dashes, starting with a letter or digit (e.g. faster-checkout)",
    ]


# --- schema ----------------------------------------------------------------------------


def _conforms(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    """The structural part of JSON Schema the generated schema relies on: references,
    alternatives, types, required and forbidden keys, enums and patterns."""
    if "$ref" in schema:
        return _conforms(value, root["$defs"][schema["$ref"].removeprefix("#/$defs/")], root)
    if "anyOf" in schema and not any(_conforms(value, s, root) for s in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(_conforms(value, s, root) for s in schema["oneOf"]) != 1:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "const" in schema and value != schema["const"]:
        return False
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return (
            isinstance(value, dict)
            and all(key in value for key in schema.get("required", []))
            and (schema.get("additionalProperties") is not False or set(value) <= set(properties))
            and all(_conforms(v, properties.get(k, {}), root) for k, v in value.items())
        )
    if kind == "array":
        return isinstance(value, list) and all(
            _conforms(v, schema.get("items", {}), root) for v in value
        )
    if kind == "string":
        if isinstance(value, date) and schema.get("format") == "date":
            return True  # YAML reads 2027-02-20 as a date
        return isinstance(value, str) and re.search(schema.get("pattern", ""), value) is not None
    if kind in ("number", "integer"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


def _validator(schema: dict[str, Any]) -> Any:
    try:
        import jsonschema
    except ImportError:
        return None
    return jsonschema.Draft202012Validator(schema)


def test_schema_prints_a_json_schema_that_the_examples_satisfy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no config here: the schema needs none
    outcome = invoke("schema")
    assert outcome.exit_code == 0, outcome
    schema = outcome.json
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "version",
        "cycle",
        "team",
        "schedule",
        "defaults",
        "objectives",
    }

    examples = sorted(EXAMPLE_MAPPINGS.glob("*.yaml"))
    assert len(examples) == 4  # checkout, company, payments, shop-app
    validator = _validator(schema)
    for path in examples:
        data = yaml.safe_load(path.read_text())
        if validator is not None:
            assert list(validator.iter_errors(json.loads(json.dumps(data, default=str)))) == []
        assert _conforms(data, schema, schema), path.name

    # It also rejects what validate rejects: an unknown key, an unknown measure.
    broken = yaml.safe_load((EXAMPLE_MAPPINGS / "checkout.yaml").read_text())
    broken["objectives"][0]["key_results"][0]["mesure"] = "completion"
    assert not _conforms(broken, schema, schema)
    broken = yaml.safe_load((EXAMPLE_MAPPINGS / "payments.yaml").read_text())
    broken["objectives"][0]["key_results"][0]["measure"] = "completness"
    assert not _conforms(broken, schema, schema)
