"""Bad input: one short line on stderr, exit 1, no traceback (unless --debug), no
secret anywhere, nothing written to Jira, and a store the next run can go on with. A run
that fails once started adds a second line: what it did and did not do."""

from __future__ import annotations

import json
import math
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import TOKEN_VAR, Outcome, Workspace, json_server, successful_writes
from okrsync_sandbox import API_TOKEN, SandboxServer

from okrsync.saved_plan import checksum
from okrsync.store import Store

WRONG_TOKEN = "wrong-but-secret-token-4711"
# The shared one-KR mapping, and what this file adds to it.
ONE_KR = (
    (Path(__file__).parents[1] / "data" / "one_click_kr.yaml").read_text()
    + """\
        push: [{to: jira, issue: OKR-12, comment: true}]
"""
)


@pytest.fixture
def workspace(site: SandboxServer, tmp_path: Path) -> Workspace:
    """A store of its own per test, on the module's sandbox (nothing here writes)."""
    site.reset_log()
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", ONE_KR)
    return workspace


def one_line_error(outcome: Outcome, *fragments: str, summary: str | None = None) -> str:
    """The outcome is exit 1 with one line on stderr holding ``fragments``, followed by
    the failed run's ``summary`` when one is given."""
    assert outcome.exit_code == 1, outcome
    assert outcome.stdout == "", outcome
    lines = outcome.stderr.splitlines()
    assert lines[1:] == ([] if summary is None else [summary]), outcome
    for fragment in fragments:
        assert fragment in lines[0], outcome
    printed = outcome.stdout + outcome.stderr
    assert "Traceback" not in printed
    assert API_TOKEN not in printed and WRONG_TOKEN not in printed
    return lines[0]


def one_kr_failed(outcome: Outcome, kr: str) -> str:
    """The outcome of a run in which one KR failed on its own: exit 1, one located
    line for it and the partial run's summary; the message of that line."""
    assert outcome.exit_code == 1, outcome
    located, summary = outcome.stderr.splitlines()
    assert re.fullmatch(rf"\S+\.yaml:\d+:\d+: error: KR {kr}: .+", located), outcome
    assert summary.startswith(f"run 1 ({outcome.args[-1]}) is partial: 1 key result failed")
    assert "Traceback" not in outcome.stdout + outcome.stderr
    return located.split(f"error: KR {kr}: ", 1)[1]


def last_run(workspace: Workspace) -> tuple[str, str, str]:
    ((command, status, errors),) = workspace.sql(
        "SELECT command, status, errors FROM runs ORDER BY id DESC LIMIT 1"
    )
    return command, status, errors


# --- the files -------------------------------------------------------------------------


def test_malformed_yaml(workspace: Workspace, site: SandboxServer) -> None:
    broken = ONE_KR.replace("title: Shoppers breeze", "title: [Shoppers breeze")
    path = workspace.use_mapping("checkout.yaml", broken)
    line = one_line_error(workspace.run("plan"))
    assert line == f"{path}:6:12: error: this '[' list is not closed with ']'"
    assert len(site.log) == 0 and not workspace.db.exists()  # nothing was started


def test_unknown_keys_list_the_valid_ones(workspace: Workspace) -> None:
    workspace.write_config(extra="    tokn: x\n")
    one_line_error(
        workspace.run("plan"),
        f"{workspace.config}:10:5: error: unknown key 'tokn' in connector 'jira' (type jira) "
        "(did you mean 'token'?); valid keys: type, url, token,",
        " email,",
    )
    workspace.write_config()
    path = workspace.use_mapping(
        "checkout.yaml", ONE_KR.replace("    title: Shop", "    ownr: a\n    title: Shop")
    )
    one_line_error(
        workspace.run("plan"),
        f"{path}:6:5: error: unknown key 'ownr' in objective (did you mean 'owner'?); "
        "valid keys: id, title, owner,",
    )


def test_a_missing_variable_is_named(workspace: Workspace, site: SandboxServer) -> None:
    workspace.write_config(token="${E2E_NOT_SET_ANYWHERE}")
    # Loading needs no secret; opening the connector does, and says which and where.
    one_line_error(
        workspace.run("plan"),
        "error: connector 'jira' cannot be opened: environment variable E2E_NOT_SET_ANYWHERE "
        f"is not set (used by 'connectors.jira.token') at {workspace.config}:9:12; "
        "set it and run again",
        summary="run 1 (plan) failed while starting: nothing done yet",
    )
    assert len(site.log) == 0


def test_an_unknown_connector_instance(workspace: Workspace, site: SandboxServer) -> None:
    path = workspace.use_mapping("checkout.yaml", ONE_KR.replace("source: jira", "source: jria"))
    one_line_error(
        workspace.run("plan"),
        f"{path}:3:20: error: unknown connector 'jria' (did you mean 'jira'?); "
        "defined connectors: jira",
    )
    workspace.use_mapping("checkout.yaml", ONE_KR)
    workspace.write_config(extra="  gitlab:\n    type: nosuchtool\n")
    one_line_error(
        workspace.run("plan"),
        f"{workspace.config}:11:11: error: unknown connector type 'nosuchtool' for connector "
        "'gitlab'; installed types: ",
    )
    assert len(site.log) == 0


# --- what Jira answers -----------------------------------------------------------------


def test_a_query_jira_rejects_fails_its_kr_where_the_query_is_written(
    workspace: Workspace, site: SandboxServer
) -> None:
    path = workspace.use_mapping(
        "checkout.yaml", ONE_KR.replace("parent = SHOP-100", "parent = = SHOP-100")
    )
    planned = workspace.run("plan")
    assert planned.exit_code == 1, planned
    failure, summary = planned.stderr.splitlines()
    # The query is the value on line 10, column 25.
    assert failure.startswith(
        f"{path}:10:25: error: KR ship-one-click: jira: Jira rejected the query: "
        "Error in the JQL Query: "
    ), planned
    assert summary.startswith("run 1 (plan) is partial: 1 key result failed"), planned
    assert "Traceback" not in planned.stdout + planned.stderr
    assert site.writes == []
    assert last_run(workspace)[:2] == ("plan", "partial")
    assert workspace.sql("SELECT count(*) FROM cursors") == [(0,)]

    workspace.use_mapping("checkout.yaml", ONE_KR)  # fixed: the next run goes on
    assert workspace.run("plan").exit_code == 2


def test_wrong_credentials(workspace: Workspace, site: SandboxServer) -> None:
    line = one_line_error(
        workspace.run("plan", env={TOKEN_VAR: WRONG_TOKEN}),
        summary="run 1 (plan) failed while pulling: 0 of 1 queries stored "
        "(not stored: jira: parent = SHOP-100)",
    )
    assert line == (
        f"error: jira: Jira rejected the credentials for {site.url}: check email and API "
        "token (Cloud) or the personal access token (Data Center)"
    )
    command, status, errors = last_run(workspace)
    assert (command, status) == ("plan", "failed")
    assert "rejected the credentials" in errors
    assert WRONG_TOKEN.encode() not in workspace.stored_bytes()
    assert workspace.run("plan").exit_code == 2  # with the right token


def test_a_forbidden_write(workspace: Workspace, site: SandboxServer) -> None:
    site.state.forbidden_projects.add("OKR")
    try:
        line = one_line_error(
            workspace.run("apply"),
            summary="run 1 (apply) failed while applying: 1 of 1 queries stored; "
            "0 of 1 planned writes made (not made: OKR-12 comment)",
        )
    finally:
        site.state.forbidden_projects.clear()
    assert line.startswith("error: jira: the Jira account may not POST /rest/api/3/issue/OKR-12")
    assert successful_writes(site) == []
    assert workspace.sql("SELECT count(*) FROM writes") == [(0,)]
    assert last_run(workspace)[:2] == ("apply", "failed")

    site.reset_log()
    assert workspace.run("apply").exit_code == 0
    assert [(w.method, w.path) for w in site.writes] == [
        ("POST", "/rest/api/3/issue/OKR-12/comment")
    ]


def test_an_unreachable_host(workspace: Workspace) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workspace.write_config(url=f"http://127.0.0.1:{port}")
    one_line_error(
        workspace.run("plan"),
        f"error: jira: cannot reach http://127.0.0.1:{port}: ",
        "check the url and your network",
        summary="run 1 (plan) failed while pulling: 0 of 1 queries stored "
        "(not stored: jira: parent = SHOP-100)",
    )


def test_a_field_not_on_the_issue_fails_its_kr_and_the_other_is_pushed(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    """OKR-7 is a Task, whose edit screen lacks KR Progress: prepare-review fails when
    its targets are read, before any write; the first KR's comment on OKR-12 is made."""
    second_kr = """
      - id: prepare-review
        title: Prepare the review
        select: {query: parent = SHOP-100}
        measure: done
        target: 9
        push: [{to: jira, issue: OKR-7, field: KR Progress, comment: true}]
"""
    path = fresh.use_mapping("checkout.yaml", ONE_KR + second_kr)
    # The field's value is on line 19, column 48.
    failure = (
        f"{path}:19:48: error: KR prepare-review: jira: field 'KR Progress' "
        "(customfield_10100) cannot be set on OKR-7: add it to the issue's edit screen, "
        "or choose another field"
    )
    for number, command in enumerate(("plan", "apply", "sync"), start=1):
        outcome = fresh.run(command)
        assert outcome.exit_code == 1, outcome
        lines = outcome.stderr.splitlines()
        assert lines[0] == failure, outcome
        assert lines[1].startswith(f"run {number} ({command}) is partial: "), outcome
        assert last_run(fresh)[:2] == (command, "partial")
    # Only the first apply wrote: the comment of ship-one-click; nothing went to OKR-7.
    assert [(w.method, w.path) for w in successful_writes(fresh_site)] == [
        ("POST", "/rest/api/3/issue/OKR-12/comment")
    ]
    assert fresh.sql("SELECT kr_id, target, what FROM writes") == [
        ("ship-one-click", "OKR-12", "comment")
    ]


# --- --debug, and the token in a separate process ---------------------------------------


def test_a_traceback_only_with_debug(workspace: Workspace) -> None:
    """Without --debug, test_wrong_credentials shows the one line; with it, the process
    prints Python's traceback (still without the token)."""
    debug = workspace.run_process("--debug", "plan", env={TOKEN_VAR: WRONG_TOKEN})
    assert debug.exit_code == 1, debug
    assert "Traceback (most recent call last)" in debug.stderr
    assert "okrsync.errors.AuthError: jira: Jira rejected the credentials" in debug.stderr
    assert WRONG_TOKEN not in debug.stdout + debug.stderr


# --- metric sources -------------------------------------------------------------------

METRIC_KR = (Path(__file__).parents[1] / "data" / "conversion_kr.yaml").read_text()


def use_metric_source(workspace: Workspace, url: str, metrics: str) -> None:
    """The conversion KR, read from an ``http_json`` source at ``url``."""
    workspace.use_mapping("checkout.yaml", METRIC_KR)
    workspace.write_config(
        extra=f"  analytics:\n    type: http_json\n    url: {url}\n    metrics:\n{metrics}"
    )


@pytest.mark.parametrize(
    ("url", "metric", "message"),
    [
        (
            "https://bob:hunter2@metrics.example.com/m.json",
            "/rate",
            "12:10: error: put credentials in token, not in the URL",
        ),
        ("file:///etc/passwd", "/rate", "12:10: error: expected an http(s) URL such as "),
        (
            "https://metrics.example.com/m.json",
            "{url: 'file:///etc/passwd', pointer: /rate}",
            "14:7: error: metric 'checkout_conversion': 'file:///etc/passwd' is not an http(s) URL",
        ),
        (
            "https://metrics.example.com/m.json",
            "{url: 'https://evil.example.net/m.json', pointer: /rate}",
            "14:7: error: metric 'checkout_conversion': https://evil.example.net is another "
            "origin than the source's url, and the token is only sent there",
        ),
    ],
    ids=["password", "file-url", "file-metric-url", "other-host"],
)
def test_a_metric_source_that_could_be_turned_against_us_is_refused(
    workspace: Workspace, site: SandboxServer, url: str, metric: str, message: str
) -> None:
    use_metric_source(workspace, url, f"      checkout_conversion: {metric}\n")
    line = one_line_error(workspace.run("plan"))
    assert line.startswith(f"{workspace.config}:") and message in line, line
    assert "hunter2" not in line
    assert len(site.log) == 0 and not workspace.db.exists()  # nothing was started


@pytest.mark.parametrize(
    ("value", "shown"), [(math.inf, "inf"), (math.nan, "nan"), ("inf", "'inf'")]
)
def test_a_metric_that_is_no_finite_number_names_source_metric_and_pointer(
    workspace: Workspace, site: SandboxServer, value: object, shown: str
) -> None:
    # json_server writes Python's Infinity and NaN, which no JSON has but servers send.
    with json_server({"data": {"rate": value}}) as url:
        use_metric_source(workspace, url, "      checkout_conversion: /data/rate\n")
        line = one_kr_failed(workspace.run("apply"), "conversion")
    assert line == (
        f"analytics: metric 'checkout_conversion': /data/rate in {url} holds {shown}, "
        "not a finite number"
    )
    assert site.writes == []
    assert workspace.sql("SELECT count(*) FROM metric_values") == [(0,)]


def test_a_metric_pointer_to_nothing_names_source_metric_and_pointer(
    workspace: Workspace, site: SandboxServer
) -> None:
    with json_server({"data": {"conversion": 2.5}}) as url:
        use_metric_source(workspace, url, "      checkout_conversion: /data/rate\n")
        line = one_kr_failed(workspace.run("apply"), "conversion")
    assert line.startswith(
        f"analytics: metric 'checkout_conversion': JSON pointer /data/rate not found "
        f"in {url}: nothing at /data + 'rate' (keys there: conversion)"
    )
    assert site.writes == []


def test_a_jira_url_with_a_password_is_refused_without_showing_it(
    workspace: Workspace, site: SandboxServer
) -> None:
    workspace.write_config(url="https://bot:hunter2@acme.atlassian.net")
    line = one_line_error(workspace.run("plan"))
    assert line.startswith(f"{workspace.config}:7:10: error: ")
    assert line.endswith("put credentials in email/token, not in the URL")
    assert "hunter2" not in line
    assert len(site.log) == 0 and not workspace.db.exists()


# --- hostile files ----------------------------------------------------------------------


def nothing_started(workspace: Workspace, site: SandboxServer) -> None:
    assert len(site.log) == 0 and not workspace.db.exists()


def test_a_lone_surrogate_in_a_title_is_located(workspace: Workspace, site: SandboxServer) -> None:
    """YAML's "\\ud800" escape writes half of a UTF-16 pair, which UTF-8 cannot hold:
    refused where it is written, never an internal error later."""
    path = workspace.use_mapping(
        "checkout.yaml", ONE_KR.replace("title: Ship one-click", 'title: "Ship \\ud800 one-click')
    )
    path.write_text(path.read_text().replace("one-click checkout\n", 'one-click checkout"\n', 1))
    line = one_line_error(workspace.run("plan"))
    assert line == (
        f"{path}:9:16: error: this text holds '\\ud800', half of a UTF-16 surrogate pair, "
        "which cannot be stored or sent: write the character itself, or its full escape "
        "such as \\U0001F600"
    )
    nothing_started(workspace, site)


def test_a_mapping_linked_to_a_file_outside_its_folder_is_not_read(
    workspace: Workspace, site: SandboxServer, tmp_path: Path
) -> None:
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("db_password: hunter2-in-a-file\n")
    link = workspace.folder / "mappings" / "shared.yaml"
    link.symlink_to(secret)
    line = one_line_error(workspace.run("plan"))
    assert line == (
        f"{workspace.config}:2:12: error: mapping file '{link}' resolves through a symbolic "
        f"link to a file outside '{workspace.folder / 'mappings'}'; okrsync reads mapping "
        "files only inside the folders the config names: move the file there, or name its "
        "own folder under `mappings:`"
    )
    assert "hunter2" not in line
    nothing_started(workspace, site)
    # A link that stays inside the folder is an ordinary mapping file.
    link.unlink()
    (workspace.folder / "mappings" / "kept").mkdir()
    (workspace.folder / "mappings" / "checkout.yaml").rename(
        workspace.folder / "mappings" / "kept" / "checkout.yaml"
    )
    link.symlink_to(workspace.folder / "mappings" / "kept" / "checkout.yaml")
    assert workspace.run("validate").exit_code == 0


@pytest.mark.parametrize("command", ["plan", "report"])
@pytest.mark.parametrize(
    ("place", "reason"),
    [
        ("symlink", "it is a symbolic link, and okrsync replaces only regular files"),
        ("device", "it is a device or special file, and okrsync writes only regular files"),
        ("folder", "it is a folder: give a file name"),
        ("missing", "create the folder {folder} first"),
    ],
)
def test_out_never_replaces_anything_but_a_regular_file(
    workspace: Workspace, site: SandboxServer, command: str, place: str, reason: str
) -> None:
    kept = workspace.folder / "kept.txt"
    kept.write_text("a file the link points to\n")
    paths = {
        "symlink": workspace.folder / "link.json",
        "device": Path("/dev/null"),
        "folder": workspace.folder / "mappings",
        "missing": workspace.folder / "no-such-folder" / "out.json",
    }
    paths["symlink"].symlink_to(kept)
    target = paths[place]
    line = one_line_error(workspace.run(command, "--out", str(target)))
    what = "the plan" if command == "plan" else "the report"
    assert line == f"error: cannot write {what} to {target}: " + reason.format(folder=target.parent)
    nothing_started(workspace, site)
    assert paths["symlink"].is_symlink() and kept.read_text() == "a file the link points to\n"
    assert Path("/dev/null").is_char_device()


def test_out_into_a_folder_it_cannot_write_is_one_line(workspace: Workspace) -> None:
    """/proc takes no new files, not even from root: one line, and no file is left."""
    for command, what in (("plan", "the plan"), ("report", "the report")):
        one_line_error(
            workspace.run(command, "--out", "/proc/okrsync-out"),
            f"error: cannot write {what} to /proc/okrsync-out: ",
        )
    assert not list(Path("/proc").glob("*okrsync-out*"))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("database", "message"),
    [
        (
            "nonsense",
            "error: the database setting 'nonsense' is not a database URL; use "
            "sqlite:///okrsync.db or postgresql+psycopg://USER@HOST:5432/DB",
        ),
        (
            "postgresql://okrsync:hunter2@127.0.0.1:{port}/okrsync",
            "error: cannot open the state database "
            "postgresql+psycopg://okrsync:***@127.0.0.1:{port}/okrsync: connection failed:",
        ),
        (
            "sqlite:///{folder}/a-file/okrsync.db",
            "error: cannot create the state database sqlite:///{folder}/a-file/okrsync.db: "
            "{folder}/a-file is a file, not a folder; check the path and its permissions",
        ),
        (
            "sqlite:////proc/okrsync.db",
            "error: cannot open the state database sqlite:////proc/okrsync.db: unable to "
            "open database file; check the path and its permissions",
        ),
        (
            "sqlite:////proc/okrsync-missing/okrsync.db",
            "error: cannot create the state database sqlite:////proc/okrsync-missing/"
            "okrsync.db: No such file or directory; check the path and its permissions",
        ),
    ],
    ids=["nonsense", "closed-port", "folder-is-a-file", "read-only", "missing-in-read-only"],
)
def test_a_bad_database_url_is_one_line(
    workspace: Workspace, site: SandboxServer, database: str, message: str
) -> None:
    (workspace.folder / "a-file").write_text("not a folder\n")
    given = {"port": closed_port(), "folder": workspace.folder}
    workspace.config.write_text(
        workspace.config.read_text().replace(f"sqlite:///{workspace.db}", database.format(**given))
    )
    for command in ("status", "plan"):
        line = one_line_error(workspace.run(command))
        assert line.startswith(message.format(**given)), line
        assert "hunter2" not in line
    nothing_started(workspace, site)


@pytest.mark.parametrize(
    "as_of", ["2027-W07", "20270215", "2027-02-15 12:00", "2027-02-15T12", "yesterday"]
)
def test_an_as_of_outside_the_documented_forms_lists_them(
    workspace: Workspace, site: SandboxServer, as_of: str
) -> None:
    for command in ("plan", "status", "report"):
        one_line_error(
            workspace.run(command, "--as-of", as_of),
            f"error: --as-of {as_of!r} is not one of the forms okrsync reads: YYYY-MM-DD "
            "(the end of that day), YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, in the configured "
            "time zone unless followed by Z or an offset such as +01:00",
        )
    assert site.writes == []


def forged(document: dict[str, Any], workspace: Workspace) -> None:
    """Re-sign the plan with the store's own secret, as someone who can read it might."""
    with Store.open(f"sqlite:///{workspace.db}") as store:
        store_id, secret = store.identity()
    document["checksum"] = checksum(document, store_id, secret)


def edited(document: dict[str, Any], workspace: Workspace) -> None:
    document["key_results"][0]["pushes"][0]["new"] = "a comment someone rewrote"


def unbound(document: dict[str, Any], workspace: Workspace) -> None:
    del document["store_id"], document["checksum"]


def undeclared(document: dict[str, Any], workspace: Workspace) -> None:
    document["key_results"][0]["pushes"][0]["target"] = "SHOP-101"
    forged(document, workspace)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (edited, "was changed after it was saved: its checksum does not match its writes"),
        (unbound, "carries no store_id and checksum, so nothing shows that this store made it"),
        (
            undeclared,
            "lists a write to SHOP-101 comment in 'jira' for KR 'ship-one-click', which its "
            "mapping does not push to",
        ),
    ],
    ids=["edited", "unbound", "undeclared-issue"],
)
def test_a_plan_file_that_could_smuggle_writes_is_refused(
    fresh: Workspace, fresh_site: SandboxServer, change: Any, reason: str
) -> None:
    # A site of its own: the module's may hold the comment already (nothing to plan).
    workspace, site = fresh, fresh_site
    workspace.use_mapping("checkout.yaml", ONE_KR)
    saved = workspace.folder / "plan.json"
    assert workspace.run("plan", "--out", str(saved)).exit_code == 2
    document = json.loads(saved.read_text())
    change(document, workspace)
    saved.write_text(json.dumps(document))
    one_line_error(
        workspace.run("apply", "--plan", str(saved)),
        f"error: plan file {saved} {reason}; nothing was written: make a fresh plan",
    )
    assert site.writes == []
    assert workspace.sql("SELECT count(*) FROM writes") == [(0,)]
