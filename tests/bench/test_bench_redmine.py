"""The Redmine part of ``make bench``: its minimum, the requests read from Redmine's log,
and the report section, including when Redmine is absent. Expected values are worked
out by hand; the real Redmine runs in ``make bench``, not here."""

from __future__ import annotations

from typing import Any

from bench import redmine_part
from bench.redmine_part import CATALOG, JOURNALS, KEY_CHECK, LIST, minimum, render, routes_in_log

LOG = """\
I, [2026-12-03T11:00:00.1 #7]  INFO -- : Started GET "/users/current.json" for 127.0.0.1
I, [2026-12-03T11:00:00.2 #7]  INFO -- : Processing by UsersController#show as JSON
I, [2026-12-03T11:00:00.3 #7]  INFO -- : Started GET "/issues.json?project_id=load&offset=0&limit=100" for 127.0.0.1
I, [2026-12-03T11:00:00.4 #7]  INFO -- : Started GET "/issues/12.json?include=journals" for 127.0.0.1
I, [2026-12-03T11:00:00.5 #7]  INFO -- : Started GET "/issues/13.json?include=journals" for 127.0.0.1
I, [2026-12-03T11:00:00.6 #7]  INFO -- : Started GET "/projects/3/versions.json" for 127.0.0.1
I, [2026-12-03T11:00:00.7 #7]  INFO -- : Started PUT "/issues/13.json" for 127.0.0.1
"""  # noqa: E501


def test_minimum_is_list_pages_journals_and_the_catalog() -> None:
    # 1,000 issues: 10 list pages, 1,000 journal reads, 4 catalog reads.
    least = minimum(1000)
    assert least[LIST] == 10 and least[JOURNALS] == 1000
    assert sum(least.values()) == 1014
    assert minimum(101)[LIST] == 2 and sum(CATALOG.values()) == 4


def test_routes_are_read_from_the_rails_log_without_ids() -> None:
    assert routes_in_log(LOG) == {
        KEY_CHECK: 1,
        LIST: 1,
        JOURNALS: 2,
        "GET /projects/{id}/versions.json": 1,
        "PUT /issues/{id}.json": 1,
    }


def test_a_missing_redmine_is_said_and_skipped() -> None:
    section = render("Debian's redmine is not installed", "python -m bench --part redmine")
    assert section.startswith(redmine_part.BEGIN) and redmine_part.END in section
    assert "Skipped: Debian's redmine is not installed." in section


def test_the_section_compares_the_log_with_the_minimum() -> None:
    routes = {**minimum(200), KEY_CHECK: 1}
    figures: dict[str, Any] = {
        "issues": 200,
        "seeded": {"issues": 200, "journals": 300, "done": 50},
        "seed_seconds": 1.0,
        "build_seconds": 30.0,
        "routes": routes,
        "load": (1.0, 1.0, 1.0),
        "result": {
            "seconds": 20.0,
            "cpu_seconds": 2.0,
            "client_requests": 207,
            "peak_rss_mb": 100.0,
            "stored_items": 200,
            "stored_changes": 600,
            "done": 50,
        },
    }
    section = render(figures, "python -m bench --part redmine")
    # 2 pages + 200 journals + 4 catalog = 206 minimum; 207 made with the key check.
    assert "| **total** | **207** | **206** | **+1** (1.005×) |" in section
    assert "| per issue | 100.0 ms |" in section
    assert "50 (seeded: 50)" in section
