"""The config file: discovery, defaults, the environment, ${NAME}, connector settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_helpers import MAPPING, FakeMetrics, FakeSite, fake_registry, isolate, write_tree

from okrsync import secrets
from okrsync.config import load_config
from okrsync.errors import ConfigError, ValidationFailed
from okrsync.project import load_project, validate

SITE = """
connectors:
  jira:
    type: jira
    url: https://acme.atlassian.net
    token: ${SITE_TOKEN}
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)
    fake_registry(monkeypatch, {"jira": FakeSite, "http_json": FakeMetrics})
    monkeypatch.setenv("SITE_TOKEN", "a-long-enough-site-token")


def problems() -> list[str]:
    return [str(p) for p in validate(None)]


# --- discovery --------------------------------------------------------------------------


def test_no_config_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(None)
    message = str(raised.value)
    for place in ("--config FILE", "$OKRSYNC_CONFIG", "./okrsync.yaml", "./config/okrsync.yaml"):
        assert place in message
    assert str(tmp_path) in message


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(
        tmp_path,
        {
            "config/okrsync.yaml": "timezone: Asia/Tokyo\n",
            "okrsync.yaml": "timezone: Europe/Berlin\n",
            "elsewhere.yaml": "timezone: America/New_York\n",
            "explicit.yaml": "timezone: Europe/Lisbon\n",
        },
    )

    def zone(explicit: str | None = None) -> str:
        loaded, _ = load_config(explicit)
        assert loaded.settings is not None
        return loaded.settings.timezone

    assert zone() == "Europe/Berlin"
    (tmp_path / "okrsync.yaml").unlink()
    assert zone() == "Asia/Tokyo"
    monkeypatch.setenv("OKRSYNC_CONFIG", "elsewhere.yaml")
    assert zone() == "America/New_York"
    assert zone("explicit.yaml") == "Europe/Lisbon"
    with pytest.raises(
        ConfigError, match=r"config file nope\.yaml not found \(given with --config\)"
    ):
        load_config("nope.yaml")
    monkeypatch.setenv("OKRSYNC_CONFIG", "gone.yaml")
    with pytest.raises(
        ConfigError, match=r"config file gone\.yaml not found \(named by \$OKRSYNC_CONFIG\)"
    ):
        load_config(None)
    (tmp_path / "team").mkdir()
    monkeypatch.setenv("OKRSYNC_CONFIG", "team")
    with pytest.raises(ConfigError) as raised:
        load_config(None)
    assert (
        str(raised.value) == "config file team is a folder, not a file (named by $OKRSYNC_CONFIG)"
    )
    with pytest.raises(ConfigError) as raised:
        load_config("/dev/null")
    assert str(raised.value) == "config file /dev/null is not a regular file (given with --config)"


# --- defaults, paths and the environment -------------------------------------------------


def test_defaults_and_paths_relative_to_the_config_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"config/okrsync.yaml": SITE, "config/mappings/a.yaml": MAPPING})
    project = load_project(None)
    base = tmp_path.resolve() / "config"
    assert project.database_url == f"sqlite:///{base / 'okrsync.db'}"
    assert project.config.mappings == [str(base / "mappings")]
    assert project.file_names == ["config/mappings/a.yaml"]
    assert project.timezone.key == "UTC"
    assert project.status_margins == (0.10, 0.25)
    assert project.in_progress_age.days == 14
    assert project.connectors["jira"].model is not None


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("sqlite:///state/okrsync.db", "sqlite:///{base}/state/okrsync.db"),
        ("sqlite:////var/lib/okrsync.db", "sqlite:////var/lib/okrsync.db"),
        ('"sqlite:///:memory:"', "sqlite:///:memory:"),
        ("sqlite+pysqlite:///x.db?timeout=5", "sqlite+pysqlite:///{base}/x.db?timeout=5"),
        ("postgresql+psycopg://okr@db/okr", "postgresql+psycopg://okr@db/okr"),
    ],
)
def test_database_urls(tmp_path: Path, written: str, stored: str) -> None:
    write_tree(
        tmp_path, {"okrsync.yaml": f"database: {written}\n" + SITE, "mappings/a.yaml": MAPPING}
    )
    assert load_project(None).database_url == stored.format(base=tmp_path.resolve())


@pytest.mark.parametrize("written", ['"sqlite:///"', '"sqlite:///?timeout=5"'])
def test_a_sqlite_url_without_a_file_is_a_problem(tmp_path: Path, written: str) -> None:
    # SQLAlchemy would open an in-memory store: every run would start from nothing.
    write_tree(
        tmp_path, {"okrsync.yaml": f"database: {written}\n" + SITE, "mappings/a.yaml": MAPPING}
    )
    assert problems() == [
        "okrsync.yaml:1:11: error: 'database' names no file: write e.g. sqlite:///okrsync.db "
        "(or sqlite:///:memory: for a store that lasts one run)"
    ]


def test_the_environment_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "conf/okrsync.yaml": "timezone: Europe/Berlin\ndatabase: sqlite:///file.db\n" + SITE,
            "conf/mappings/a.yaml": MAPPING,
            "team/one.yaml": MAPPING,
            "team/two.yml": MAPPING.replace("faster-checkout", "other").replace(
                "ship-one-click", "other-kr"
            ),
        },
    )
    monkeypatch.setenv("OKRSYNC_CONFIG", "conf/okrsync.yaml")
    monkeypatch.setenv("OKRSYNC_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("OKRSYNC_DATABASE_URL", "sqlite:///env.db")
    monkeypatch.setenv("OKRSYNC_MAPPINGS", "team/one.yaml,team/two.yml")
    monkeypatch.setenv("OKRSYNC_STATUS_MARGINS", '{"on_track": 0.05, "at_risk": 0.2}')
    monkeypatch.setenv("OKRSYNC_IN_PROGRESS_AGE", "3w")
    project = load_project(None)
    assert project.timezone.key == "Asia/Tokyo"
    # Paths from the environment are relative to the current directory.
    assert project.database_url == f"sqlite:///{tmp_path.resolve() / 'env.db'}"
    assert project.file_names == ["team/one.yaml", "team/two.yml"]
    assert project.status_margins == (0.05, 0.2)
    assert project.in_progress_age.days == 21


def test_bad_values_from_the_environment_name_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"okrsync.yaml": "timezone: UTC\n" + SITE, "mappings/a.yaml": MAPPING})
    monkeypatch.setenv("OKRSYNC_TIMEZONE", "Europe/Berln")
    monkeypatch.setenv("OKRSYNC_IN_PROGRESS_AGE", "soon")
    assert problems() == [
        "okrsync.yaml:1:1: error: $OKRSYNC_IN_PROGRESS_AGE: 'soon' is not a duration such as "
        "36h, 3d or 2w",
        "okrsync.yaml:1:1: error: $OKRSYNC_TIMEZONE: unknown time zone 'Europe/Berln' "
        "(did you mean 'Europe/Berlin'?): use an IANA name such as Europe/Berlin or UTC",
    ]


# --- problems in the file ----------------------------------------------------------------


def test_settings_problems_are_located(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": "databse: sqlite:///x.db\n"
            "timezone: Mars/Olympus\n"
            "status_margins: {on_track: 0.3, at_risk: 0.2}\n"
            "in_progress_age: 2 weeks\n" + SITE,
            "mappings/a.yaml": MAPPING,
        },
    )
    assert problems() == [
        "okrsync.yaml:1:1: error: unknown key 'databse' in the config file (did you mean "
        "'database'?); valid keys: database, mappings, timezone, status_margins, "
        "in_progress_age, connectors, run_timeout, forecast_seed, forecast, serve, broker",
        "okrsync.yaml:2:11: error: unknown time zone 'Mars/Olympus': use an IANA name such as "
        "Europe/Berlin or UTC",
        "okrsync.yaml:3:17: error: 'at_risk' must be at least 'on_track' (it is the wider margin)",
        "okrsync.yaml:4:18: error: '2 weeks' is not a duration such as 36h, 3d or 2w",
    ]


def test_a_margin_that_is_not_a_finite_number_is_a_problem(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": "status_margins: {on_track: .nan, at_risk: .inf}\n" + SITE,
            "mappings/a.yaml": MAPPING,
        },
    )
    assert problems() == [
        "okrsync.yaml:1:28: error: 'on_track' expects a finite number (not .nan or .inf), "
        "got the number nan",
        "okrsync.yaml:1:43: error: 'at_risk' expects a finite number (not .nan or .inf), "
        "got the number inf",
    ]


# --- ${NAME} and secrets ------------------------------------------------------------------


def test_a_connector_variable_that_is_not_set_is_a_note_until_the_connector_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITE_TOKEN")
    monkeypatch.setenv("EMPTY_ONE", "")
    config = SITE + "    email: ${EMPTY_ONE}\n"
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    assert problems() == []
    project = load_project(None)
    assert [str(note) for note in project.notes] == [
        "okrsync.yaml:5:12: note: environment variable SITE_TOKEN is not set "
        "(used by 'connectors.jira.token')",
        "okrsync.yaml:6:12: note: environment variable EMPTY_ONE is empty "
        "(used by 'connectors.jira.email')",
    ]
    with pytest.raises(ConfigError) as raised:
        project.connector_settings("jira")
    assert str(raised.value) == (
        "connector 'jira' cannot be opened: environment variable SITE_TOKEN is not set "
        "(used by 'connectors.jira.token') at okrsync.yaml:5:12; set it and run again"
    )


def test_a_variable_the_store_needs_is_still_a_problem_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DB_URL", raising=False)
    config = "database: ${DB_URL}\n" + SITE
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    assert problems() == [
        "okrsync.yaml:1:11: error: environment variable DB_URL is not set (used by 'database')"
    ]


def test_an_unset_variable_does_not_hide_the_instances_other_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITE_TOKEN")
    config = SITE + "    concurrency: 0\n"
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    assert problems() == [
        "okrsync.yaml:6:18: error: 'concurrency' must be at least 1, got the number 0"
    ]


def test_a_doubled_dollar_is_a_literal_dollar(tmp_path: Path) -> None:
    config = (
        SITE + "  metrics:\n    type: http_json\n    note: costs $${NOT_A_VARIABLE} ${SITE_TOKEN}\n"
    )
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    note = load_project(None).connector_settings("metrics")["note"]
    assert note == "costs ${NOT_A_VARIABLE} a-long-enough-site-token"


def test_a_secret_never_appears_in_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITE_TOKEN", "tiny-s3cr")  # too short for the type's model
    monkeypatch.setenv("DB_URL", "postgresql://u:hunter2-pw@db/x")
    config = "database: ${DB_URL}\ntimezone: 5\n" + SITE
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    with pytest.raises(ValidationFailed) as raised:
        load_project(None)
    text = str(raised.value)
    assert text == "\n".join(
        [
            "okrsync.yaml:2:11: error: 'timezone' expects text, got the number 5",
            "okrsync.yaml:8:12: error: 'token' must be at least 12 characters long",
        ]
    )
    assert secrets.redact("token tiny-s3cr, password hunter2-pw") == (
        f"token {secrets.MASK}, password {secrets.MASK}"
    )


def test_values_from_variables_are_not_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCURRENCY", "eight-and-secret")
    config = SITE + "    concurrency: ${CONCURRENCY}\n"
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    assert problems() == [
        "okrsync.yaml:6:18: error: 'concurrency' expects a whole number, got the given value"
    ]


def test_literal_secrets_are_registered_too(tmp_path: Path) -> None:
    config = SITE.replace("${SITE_TOKEN}", "literal-token-in-the-file")
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    project = load_project(None)
    assert project.connector_settings("jira")["token"] == "literal-token-in-the-file"
    assert secrets.redact("literal-token-in-the-file") == secrets.MASK
    assert "literal-token-in-the-file" not in repr(project.connectors)


# --- connectors ----------------------------------------------------------------------------


def test_unknown_connector_type_lists_the_installed_ones(tmp_path: Path) -> None:
    config = SITE.replace("type: jira", "type: jria") + "  bare:\n    url: x\n"
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    assert problems() == [
        "okrsync.yaml:3:11: error: unknown connector type 'jria' for connector 'jira' "
        "(did you mean 'jira'?); installed types: http_json, jira",
        "okrsync.yaml:7:5: error: connector 'bare' needs 'type'; installed types: http_json, jira",
    ]


def test_a_type_that_fails_to_load_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_registry(monkeypatch, {"jira": ImportError("No module named 'okrsync_jira'")})
    write_tree(tmp_path, {"okrsync.yaml": SITE, "mappings/a.yaml": MAPPING})
    assert problems() == [
        "okrsync.yaml:3:11: error: connector type 'jira' is installed but cannot be loaded "
        "(ImportError: No module named 'okrsync_jira'); reinstall the package that provides it"
    ]


def test_settings_are_checked_by_the_types_own_model(tmp_path: Path) -> None:
    config = SITE + "    emial: bot@acme.com\n    concurrency: 99\n"
    config += "  metrics:\n    type: http_json\n    anything: goes\n"
    write_tree(tmp_path, {"okrsync.yaml": config, "mappings/a.yaml": MAPPING})
    assert problems() == [
        "okrsync.yaml:6:5: error: unknown key 'emial' in connector 'jira' (type jira) "
        "(did you mean 'email'?); valid keys: url, email, token, concurrency",
        "okrsync.yaml:7:18: error: 'concurrency' must be at most 32, got the number 99",
    ]


# --- mapping files --------------------------------------------------------------------------


def test_folders_hold_every_yaml_inside(tmp_path: Path) -> None:
    other = MAPPING.replace("faster-checkout", "o2").replace("ship-one-click", "k2")
    third = MAPPING.replace("faster-checkout", "o3").replace("ship-one-click", "k3")
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": "mappings: [maps/, extra.yaml]\n" + SITE,
            "maps/a.yaml": MAPPING,
            "maps/team/b.yml": other,
            "maps/.hidden/c.yaml": "not: [valid",
            "maps/notes.txt": "ignored",
            "extra.yaml": third,
        },
    )
    assert load_project(None).file_names == ["maps/a.yaml", "maps/team/b.yml", "extra.yaml"]


def test_missing_and_empty_mapping_sets(tmp_path: Path) -> None:
    write_tree(tmp_path, {"okrsync.yaml": "mappings: [maps/, gone.yaml]\n" + SITE})
    (tmp_path / "maps").mkdir()
    assert problems() == ["okrsync.yaml:1:19: error: mapping path 'gone.yaml' does not exist"]
    write_tree(tmp_path, {"okrsync.yaml": "mappings: [maps/]\n" + SITE})
    assert problems() == [
        "okrsync.yaml:1:1: error: no mapping files found in maps (looked for *.yaml and "
        "*.yml files)"
    ]


def test_every_problem_everywhere_is_reported_at_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": "timezone: Nowhere/Land\n" + SITE,
            "mappings/a.yaml": MAPPING.replace("measure: completion", "measure: completness"),
            "mappings/b.yaml": MAPPING.replace("ship-one-click", "other-kr"),
            "mappings/c.yaml": "version: 1\ncycle: [2027\n",
        },
    )
    assert [p.split(": error: ")[0] for p in problems()] == [
        "mappings/a.yaml:12:18",
        "mappings/b.yaml:6:5",
        "mappings/c.yaml:2:8",
        "okrsync.yaml:1:11",
    ]
