"""Where a KR's failure is reported: the query, the metric or the push field that
failed, inside formula inputs too."""

from __future__ import annotations

from pathlib import Path

import pytest

from okrsync.errors import FieldNotFound, NotFound
from okrsync.failures import metric_places, push_place, selection_places
from okrsync.project import Project, load_project

MAPPING = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: quality
    title: Quality
    key_results:
      - id: bugs-per-point
        title: Bugs fixed per conversion point
        measure: {formula: "fixed / conv"}
        inputs:
          fixed:
            measure: done
            select:
              - {query: project = SHOP}
              - {query: project = PAY}
          conv:
            measure: {metric: {source: analytics, name: checkout_conversion}}
        target: 10
        push:
          - {to: jira, issue: OKR-12, comment: true}
          - {to: jira, issue: OKR-7, field: KR Progress}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("PLACES_TEST_TOKEN", "not-used")
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "quality.yaml").write_text(MAPPING)
    config = tmp_path / "okrsync.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path / 'okrsync.db'}\n"
        f"mappings: [{tmp_path / 'mappings'}]\n"
        "connectors:\n"
        "  jira:\n"
        "    type: jira\n"
        "    url: http://127.0.0.1:9\n"
        "    email: bot@example.com\n"
        "    token: ${PLACES_TEST_TOKEN}\n"
        "  analytics:\n"
        "    type: http_json\n"
        "    url: http://127.0.0.1:9/metrics.json\n"
        "    metrics: {checkout_conversion: /conversion}\n"
    )
    return load_project(str(config))


def test_queries_metrics_and_push_fields_of_formula_inputs_are_located(project: Project) -> None:
    ref = project.kr("bugs-per-point")
    file = ref.file
    # Each query's value starts at column 25 of lines 15 and 16.
    assert selection_places(ref) == [
        ("jira", "project = SHOP", f"{file}:15:25"),
        ("jira", "project = PAY", f"{file}:16:25"),
    ]
    # The metric's mapping starts at column 31 of line 18.
    assert metric_places(ref) == [("analytics", "checkout_conversion", f"{file}:18:31")]
    comment, field = ref.kr.push
    # A missing issue points at the issue (line 21), a refused field at the field (22).
    assert push_place(ref, comment, NotFound("gone")) == f"{file}:21:31"
    assert push_place(ref, field, FieldNotFound("text")) == f"{file}:22:45"
