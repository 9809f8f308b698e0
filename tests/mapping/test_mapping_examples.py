"""The example files shipped in mappings/ and config/ are valid, and the project API
answers from them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from mapping_helpers import REPO, isolate

from okrsync.errors import ConfigError
from okrsync.mapping.loader import load_mapping_file
from okrsync.project import load_project, validate

ENV = {
    "JIRA_API_TOKEN": "example-cloud-token",
    "JIRA_PAT": "example-pat-0815",
    "OKRSYNC_DB_PASSWORD": "example-db-password",
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, REPO)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("path", sorted((REPO / "mappings").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_mapping_file_is_valid_on_its_own(path: Path) -> None:
    _doc, problems = load_mapping_file(path, path.name)
    assert problems == []


@pytest.mark.parametrize("path", sorted((REPO / "config").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_config_validates_with_all_its_mappings(path: Path) -> None:
    assert validate(str(path)) == []


def test_the_example_project_answers_questions() -> None:
    project = load_project("config/okrsync.yaml")
    assert project.file_names == [
        "mappings/checkout.yaml",
        "mappings/company.yaml",
        "mappings/payments.yaml",
        "mappings/shop-app.yaml",
    ]
    assert [o.id for o in project.objectives()] == [
        "faster-checkout",
        "grow-revenue",
        "engineering-health",
        "payments-just-work",
        "app-checkout",
    ]
    # checkout 5 + company 2 + payments 4 + shop-app 3
    assert len(project.key_results()) == 14
    ref = project.kr("ship-one-click")
    assert (ref.objective.id, ref.file) == ("faster-checkout", "mappings/checkout.yaml")
    assert project.location_of_kr("ship-one-click") == "mappings/checkout.yaml:14:9"
    assert ref.location_of("push", 0) == "mappings/checkout.yaml:26:13"
    assert ref.resolved_selections()[0][0] == "jira"
    assert project.cycle_of("ship-one-click").first_day == date(2027, 1, 1)
    assert project.cycle_of("switch-provider").last_day == date(2027, 3, 31)
    assert [o.id for o in project.aligned_to("grow-revenue")] == [
        "faster-checkout",
        "payments-just-work",
        "app-checkout",
    ]
    # The KR across tools reads both instances of the config.
    across = project.kr("one-click-everywhere").resolved_selections()
    assert [(source, s.query) for source, s in across] == [
        ("jira", "parent = SHOP-100"),
        ("github", "repo:acme/shop-app label:checkout"),
    ]
    assert [k.id for k in project.key_results_of("engineering-health")] == [
        "payment-sdk-upgraded",
        "shop-throughput",
    ]
    assert project.timezone.key == "Europe/Berlin"
    assert project.status_margins == (0.10, 0.25)
    assert project.in_progress_age == timedelta(days=14)
    assert project.database_url == f"sqlite:///{REPO / 'okrsync.db'}"
    assert project.connector_settings("jira")["token"] == "example-cloud-token"


def test_unknown_ids_suggest_the_closest() -> None:
    project = load_project("config/okrsync.yaml")
    with pytest.raises(
        ConfigError,
        match=r"no key result has the id 'ship-oneclick' \(did you mean 'ship-one-click'\?\)",
    ):
        project.kr("ship-oneclick")
    with pytest.raises(ConfigError, match="no connector instance is named 'jiraa'"):
        project.connector_settings("jiraa")


def test_the_data_center_example_keeps_its_password_secret() -> None:
    project = load_project("config/okrsync.datacenter.yaml")
    url = project.database_url
    assert url == (
        "postgresql+psycopg://okrsync:example-db-password@db.internal.example:5432/okrsync"
    )
    assert "example-db-password" not in repr(project.config)
    assert "example-db-password" not in str(project.config.database)
    assert "example-pat-0815" not in repr(project.connectors)
