"""The forecast settings: defaults, the file, the environment and their problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_helpers import MAPPING, FakeMetrics, FakeSite, fake_registry, isolate, write_tree

from okrsync.forecast import ForecastSettings
from okrsync.project import load_project, validate

SITE = (
    "connectors:\n  jira: {type: jira, url: https://acme.atlassian.net, token: t0ken-long-enough}\n"
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)
    fake_registry(monkeypatch, {"jira": FakeSite, "http_json": FakeMetrics})


def write(tmp_path: Path, settings: str) -> None:
    write_tree(tmp_path, {"okrsync.yaml": settings + SITE, "mappings/a.yaml": MAPPING})


def test_defaults(tmp_path: Path) -> None:
    write(tmp_path, "")
    assert load_project(None).forecast_settings == ForecastSettings(
        seed=0, trials=10_000, min_history_days=5, likely=0.7, at_risk=0.3
    )


def test_the_file_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "forecast_seed: 4\nforecast: {trials: 500, likely: 0.8, at_risk: 0.4}\n")
    settings = load_project(None).forecast_settings
    assert (settings.seed, settings.trials, settings.likely, settings.at_risk) == (4, 500, 0.8, 0.4)
    assert [settings.status(p) for p in (0.8, 0.79, 0.4, 0.39, None)] == [
        "likely",
        "at_risk",
        "at_risk",
        "unlikely",
        None,
    ]
    monkeypatch.setenv("OKRSYNC_FORECAST_SEED", "9")
    monkeypatch.setenv("OKRSYNC_FORECAST", '{"min_history_days": 7}')
    from_env = load_project(None).forecast_settings
    assert (from_env.seed, from_env.min_history_days, from_env.trials) == (9, 7, 10_000)


def test_thresholds_out_of_order_are_a_located_problem(tmp_path: Path) -> None:
    write(tmp_path, "forecast: {likely: 0.2, at_risk: 0.5}\n")
    (problem,) = [str(p) for p in validate(None)]
    assert problem.startswith("okrsync.yaml:1:")
    assert "'at_risk' must be at most 'likely'" in problem


def test_too_few_history_days_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "forecast: {min_history_days: 2}\n")
    (problem,) = [str(p) for p in validate(None)]
    assert "min_history_days" in problem and "3" in problem
