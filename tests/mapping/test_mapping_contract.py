"""Every example of the contract (mapping-language.md) works exactly as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapping_helpers import contract_yaml_blocks, isolate, strs, write_tree

from okrsync import secrets
from okrsync.errors import ConfigError
from okrsync.mapping.loader import load_mapping_text
from okrsync.mapping.models import CycleTimeMeasure, MetricMeasure
from okrsync.project import load_project, validate

TOKEN = "contract-example-token-4711"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)


def blocks() -> tuple[str, str]:
    found = contract_yaml_blocks()
    config = next(b for b in found if b.startswith("# okrsync.yaml"))
    mapping = next(b for b in found if b.startswith("version: 1"))
    return config, mapping


def test_the_contract_has_a_config_and_a_mapping_example() -> None:
    found = contract_yaml_blocks()
    assert sum(b.startswith("# okrsync.yaml\ndatabase:") for b in found) == 1
    assert sum(b.startswith("version: 1") for b in found) == 1


def test_the_mapping_example_is_a_valid_mapping_file() -> None:
    _config, mapping = blocks()
    doc, problems = load_mapping_text(mapping, "mappings/checkout.yaml")
    assert problems == []
    assert doc.model is not None
    objective = doc.model.objectives[0]
    assert objective.id == "faster-checkout" and objective.aligns_to == "grow-revenue"
    one_click, cycle_time, conversion = objective.key_results
    assert one_click.effective_target == 100.0 and one_click.weight == 2.0
    assert one_click.weight_by == "story_points"
    assert [p.issue for p in one_click.push] == ["OKR-12"]
    assert one_click.push[0].field_spec is not None
    assert one_click.push[0].field_spec.name == "KR Progress"
    assert isinstance(cycle_time.measure, CycleTimeMeasure)
    assert cycle_time.measure.cycle_time.window == 28.0
    assert (cycle_time.baseline, cycle_time.target) == (6.0, 3.0)
    assert isinstance(conversion.measure, MetricMeasure)
    assert (conversion.baseline, conversion.target) == (2.1, 3.0)


def test_the_config_example_loads_with_its_token_from_the_environment(tmp_path: Path) -> None:
    config, mapping = blocks()
    company = """
        version: 1
        cycle: 2027-Q1
        objectives:
          - id: grow-revenue
            title: Grow revenue
        """
    # The contract's pair refers to an objective and a metrics source defined elsewhere:
    # the two problems validation reports are exactly those.
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/checkout.yaml": mapping})
    assert strs(validate(None)) == [
        "mappings/checkout.yaml:10:16: error: objective 'faster-checkout' aligns_to "
        "'grow-revenue', which no loaded mapping file defines",
        "mappings/checkout.yaml:40:36: error: unknown connector 'analytics'; "
        "defined connectors: jira",
    ]
    analytics = (
        "  analytics:\n    type: http_json\n    url: https://metrics.example\n"
        "    metrics: {checkout_conversion: /conversion}\n"
    )
    write_tree(tmp_path, {"okrsync.yaml": config + analytics, "mappings/company.yaml": company})
    project = load_project(None)
    assert project.timezone.key == "Europe/Berlin"
    assert project.database_url == f"sqlite:///{tmp_path.resolve() / 'okrsync.db'}"
    settings = project.connector_settings("jira")
    assert settings == {
        "type": "jira",
        "url": "https://acme.atlassian.net",
        "email": "okr-bot@acme.com",
        "token": TOKEN,
    }
    assert secrets.redact(f"sent {TOKEN}") == f"sent {secrets.MASK}"
    assert project.location_of_kr("ship-one-click") == "mappings/checkout.yaml:13:9"
    assert project.kr("conversion").objective.id == "faster-checkout"
    assert [o.id for o in project.aligned_to("grow-revenue")] == ["faster-checkout"]


def test_a_missing_token_is_named_and_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _mapping = blocks()
    monkeypatch.delenv("JIRA_API_TOKEN")
    write_tree(
        tmp_path,
        {"okrsync.yaml": config, "mappings/a.yaml": "version: 1\ncycle: 2027-Q1\n"},
    )
    # Only the commands that open the connector need it (validate prints the note).
    assert strs(validate(None)) == []
    assert strs(load_project(None).notes) == [
        "okrsync.yaml:10:12: note: environment variable JIRA_API_TOKEN is not set "
        "(used by 'connectors.jira.token')"
    ]
    with pytest.raises(ConfigError, match="JIRA_API_TOKEN is not set"):
        load_project(None).connector_settings("jira")
