"""Cron schedules in the config's time zone, the scheduler, webhook signatures, which
units a change concerns, the session cookie, and the serve: config section."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from serve_harness import signed, wait_for

from okrsync.project import load_project, validate
from okrsync.serve.auth import Guard
from okrsync.serve.cron import Schedule, check_cron
from okrsync.serve.queue import RunRequest
from okrsync.serve.scheduler import Scheduler
from okrsync.serve.webhooks import GITHUB, JIRA, changed_scope, may_select, signature_ok

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # 09:00 Berlin on weekdays: Friday 2027-03-26 10:00 Berlin -> Monday 09:00 CEST.
        (
            "0 9 * * 1-5",
            datetime(2027, 3, 26, 9, 0, tzinfo=UTC),
            datetime(2027, 3, 29, 7, 0, tzinfo=UTC),
        ),
        # Winter: 09:00 CET is 08:00 UTC.
        (
            "0 9 * * *",
            datetime(2027, 1, 10, 12, 0, tzinfo=UTC),
            datetime(2027, 1, 11, 8, 0, tzinfo=UTC),
        ),
        # Every 15 minutes, strictly after.
        (
            "*/15 * * * *",
            datetime(2027, 1, 1, 10, 15, tzinfo=UTC),
            datetime(2027, 1, 1, 10, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_schedule_comes_due_in_the_config_time_zone(
    expression: str, after: datetime, expected: datetime
) -> None:
    assert Schedule(expression, BERLIN).next_after(after) == expected


@pytest.mark.parametrize("expression", ["*/15 * * *", "61 * * * *", "every hour", ""])
def test_what_is_not_a_cron_expression_says_so(expression: str) -> None:
    with pytest.raises(ValueError, match="is not a cron expression of five fields"):
        check_cron(expression)


class _Queue:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def submit(self, unit: str, reason: str, delay: float = 0.0) -> RunRequest:
        self.asked.append((unit, reason))
        return RunRequest(unit)


def test_the_scheduler_queues_each_unit_when_it_comes_due() -> None:
    queue = _Queue()
    now = datetime.now(UTC)
    scheduler = Scheduler({"a.yaml": Schedule("* * * * *", BERLIN)}, queue)  # type: ignore[arg-type]
    next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    assert scheduler.next_runs(now) == {"a.yaml": next_minute}
    # Waiting a minute is too long for a test: make the schedule due already.
    scheduler.schedules["a.yaml"] = _DueNow()  # type: ignore[assignment]
    scheduler.start()
    try:
        wait_for(lambda: len(queue.asked) >= 2, timeout=5)
    finally:
        scheduler.stop()
    assert set(queue.asked) == {("a.yaml", "schedule")}


class _DueNow:
    def next_after(self, instant: datetime) -> datetime:
        return datetime.now(UTC)


def test_signatures_are_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"webhookEvent": "jira:issue_updated"}'
    assert signature_ok("s3cret", body, signed(body, "s3cret"))
    assert signature_ok("s3cret", body, signed(body, "s3cret").upper().replace("SHA256", "sha256"))
    assert not signature_ok("s3cret", body + b" ", signed(body, "s3cret"))
    assert not signature_ok("s3cret", body, signed(body, "other"))
    assert not signature_ok("s3cret", body, None)
    assert not signature_ok("s3cret", body, "sha256=ünïcode")
    assert not signature_ok("s3cret", body, signed(body, "s3cret").replace("sha256", "sha1"))


def test_the_changed_item_scope_of_jira_and_github_deliveries() -> None:
    assert (
        changed_scope(JIRA, {"issue": {"key": "SHOP-7", "fields": {"project": {"key": "SHOP"}}}})
        == "SHOP"
    )
    assert changed_scope(JIRA, {"issue": {"key": "PAY-12"}}) == "PAY"
    assert changed_scope(JIRA, {"webhookEvent": "sprint_started", "sprint": {"id": 3}}) is None
    assert changed_scope(GITHUB, {"repository": {"full_name": "acme/shop"}}) == "acme/shop"
    assert changed_scope(GITHUB, {"zen": "hi"}) is None


@pytest.mark.parametrize(
    ("dialect", "query", "scope", "selects"),
    [
        (JIRA, "project = SHOP", "SHOP", True),
        (JIRA, "parent = SHOP-100", "SHOP", True),
        (JIRA, "project in (PAY, SHOP) AND type = Bug", "SHOP", True),
        (JIRA, "project = PAY", "SHOP", False),
        (JIRA, "project = SHOPX", "SHOP", False),
        (JIRA, "parent = PAY-3", "SHOP", False),
        (JIRA, "labels = okr AND sprint in openSprints()", "SHOP", True),  # names no project
        (GITHUB, "repo:acme/shop is:pr", "acme/shop", True),
        (GITHUB, "repo:acme/pay is:pr", "acme/shop", False),
        (GITHUB, "org:acme is:issue", "acme/shop", True),
        (GITHUB, "org:other is:issue", "acme/shop", False),
        (GITHUB, "is:issue label:okr", "acme/shop", True),
    ],
)
def test_a_unit_is_left_out_only_when_its_query_cannot_select_the_item(
    dialect: object, query: str, scope: str, selects: bool
) -> None:
    assert may_select(dialect, query, scope) is selects  # type: ignore[arg-type]


def test_a_session_cookie_is_the_token_s_and_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.requests import Request

    guard = Guard("the-token")

    def request(cookie: str = "", bearer: str = "") -> Request:
        headers = []
        if cookie:
            headers.append((b"cookie", f"okrsync_session={cookie}".encode()))
        if bearer:
            headers.append((b"authorization", f"Bearer {bearer}".encode()))
        return Request({"type": "http", "headers": headers})

    assert guard.allows(request(bearer="the-token"))
    assert not guard.allows(request(bearer="the-tokeN"))
    assert guard.allows(request(cookie=guard.session()))
    assert not guard.allows(request(cookie=Guard("another").session()))
    assert not guard.allows(request(cookie=guard.session(int(time.time()) - 13 * 3600)))
    assert not guard.allows(request(cookie="123.abc"))
    assert not guard.allows(request())


SITE = "connectors:\n  jira: {type: jira, url: 'https://x.atlassian.net', email: a@b.c, token: t}\n"


def _write(folder: Path, serve: str, mapping_extra: str = "") -> str:
    (folder / "mappings").mkdir()
    (folder / "mappings" / "a.yaml").write_text(
        f"version: 1\ncycle: 2027-Q1\n{mapping_extra}objectives: []\n"
    )
    (folder / "okrsync.yaml").write_text(SITE + serve)
    return str(folder / "okrsync.yaml")


def test_the_serve_section_is_read_with_its_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "hook-secret-value")
    config = _write(
        tmp_path,
        "serve:\n  listen: 0.0.0.0:9000\n  schedule: '*/5 * * * *'\n  debounce: 500ms\n"
        "  webhooks:\n    jira: {secret: '${HOOK_SECRET}'}\n",
        "schedule: '0 * * * *'\n",
    )
    project = load_project(config)
    serve = project.config.serve
    assert (serve.host, serve.port, serve.schedule, serve.debounce) == (
        "0.0.0.0",
        9000,
        "*/5 * * * *",
        0.5,
    )
    assert serve.webhooks["jira"].secret.get_secret_value() == "hook-secret-value"
    assert serve.token is None and project.files[0].schedule == "0 * * * *"


def test_an_unset_serve_variable_is_a_note_for_other_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_SERVE_TOKEN", raising=False)
    config = _write(tmp_path, "serve:\n  token: ${NOT_SET_SERVE_TOKEN}\n")
    assert validate(config) == []
    (note,) = load_project(config).serve_unset
    assert (
        note.message
        == "environment variable NOT_SET_SERVE_TOKEN is not set (used by 'serve.token')"
    )


def test_invalid_serve_settings_are_located(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        "serve:\n  listen: localhost\n  schedule: '*/15 * *'\n  debounce: soon\n",
        "schedule: weekly\n",
    )
    messages = [f"{Path(p.file).name}:{p.line}:{p.column}: {p.message}" for p in validate(config)]
    assert messages == [
        "a.yaml:3:11: 'weekly' is not a cron expression of five fields, such as '*/15 * * * *'",
        "okrsync.yaml:4:11: 'localhost' is not host:port, such as 127.0.0.1:8400",
        "okrsync.yaml:5:13: '*/15 * *' is not a cron expression of five fields, such as "
        "'*/15 * * * *'",
        "okrsync.yaml:6:13: 'soon' is not a duration such as 500ms, 5s or 2m",
    ]
