"""JQL over the seeded site: keys hand-computed from DATASET.md."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from okrsync_sandbox import SandboxState, build_dataset
from okrsync_sandbox.jql import JqlError, compile_query, run_query
from okrsync_sandbox.jql.syntax import parse
from sandbox_times import ANCHOR, NOW

STATE = build_dataset(ANCHOR.date())
STATE.clock = lambda: NOW


def keys(jql: str, state: SandboxState = STATE) -> list[str]:
    return [i.key for i in run_query(state, jql, state.bot)]


def key_set(jql: str) -> set[str]:
    return set(keys(jql))


def shop(*numbers: int) -> set[str]:
    return {f"SHOP-{n}" for n in numbers}


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("parent = SHOP-100", shop(103, 104, 105, 106, 108, 111, 112, 113, 116)),
        ("parent in (SHOP-102, SHOP-104)", shop(107, 109, 114)),
        ('"Epic Link" = SHOP-102', shop(109, 114)),
        ("parent IS EMPTY AND project = SHOP", shop(100, 101, 102, 110, 115)),
        (
            "project = SHOP AND statusCategory = Done",
            shop(101, 103, 104, 105, 106, 107, 108, 110, 111, 116),
        ),
        (
            "project = SHOP AND statusCategory = done",
            shop(101, 103, 104, 105, 106, 107, 108, 110, 111, 116),
        ),
        (
            "project = SHOP AND statusCategory = 3",
            shop(101, 103, 104, 105, 106, 107, 108, 110, 111, 116),
        ),
        ('project = SHOP AND statusCategory = "In Progress"', shop(100, 112, 114)),
        (
            "project = SHOP AND statusCategory in (new, indeterminate)",
            shop(100, 102, 109, 112, 113, 114, 115),
        ),
        ('status = "In Review"', shop(112)),
        ('project = PAY AND status = "In Arbeit"', {"PAY-1", "PAY-3"}),
        ("project = PAY AND statusCategory = Done", {"PAY-2", "PAY-4", "PAY-5", "PAY-7"}),
        ("issuetype = Bug", {"SHOP-101", "SHOP-111", "PAY-5"}),
        ("project = SHOP AND type in (Task, Subtask)", shop(106, 107, 110)),
        ('project = OKR AND issuetype = "Key Result" AND status = Done', {"OKR-11"}),
        ("labels = checkout", shop(100, 101, 103, 111)),
        ("labels in (mobile, tech-debt)", shop(101, 110, 116)),
        (
            "project = SHOP AND labels is EMPTY",
            shop(102, 104, 105, 106, 107, 108, 109, 112, 113, 114),
        ),
        ("project = SHOP AND labels != checkout", shop(110, 115, 116)),
        ("sprint = 2", shop(104, 105, 106, 110, 111)),
        ('sprint = "SHOP Sprint 5"', shop(112, 113, 114, 116)),
        ("sprint in openSprints() AND project = SHOP", shop(109, 112, 113, 114, 116)),
        ("sprint in futureSprints()", shop(109)),
        ("sprint in closedSprints() AND project = PAY", {"PAY-2", "PAY-3", "PAY-7"}),
        ("project = SHOP AND sprint IS EMPTY", shop(100, 101, 102, 107, 115)),
        ("key in (SHOP-104, PAY-2, OKR-12)", {"SHOP-104", "PAY-2", "OKR-12"}),
        ("key >= SHOP-114", shop(114, 115, 116)),
        ("issuekey > SHOP-113 AND key <= SHOP-115", shop(114, 115)),
        ("id = 10005", shop(104)),
        ('summary ~ "one-click" AND project = SHOP', shop(100, 103, 104, 106, 108, 112, 113, 116)),
        (
            "summary ~ checkout",
            {"SHOP-100", "SHOP-102", "SHOP-115", "OKR-1", "OKR-4", "OKR-9", "OKR-12"},
        ),
        ('summary !~ "one-click" AND project = SHOP AND parent = SHOP-100', shop(105, 111)),
        ("text ~ Safari", shop(105)),
        (
            '"Story point estimate" >= 5',
            {"SHOP-103", "SHOP-104", "SHOP-112", "SHOP-114", "PAY-3", "PAY-6"},
        ),
        ("cf[10016] = 3 AND project = SHOP", shop(105, 108, 109, 115, 116)),
        ("customfield_10016 in (1, 2) AND project = SHOP", shop(101, 110, 111)),
        ("cf[10016] IS EMPTY AND project = SHOP", shop(100, 102, 106, 107, 113)),
        ('"KR Progress" > 30', {"OKR-8"}),
        ("assignee = 61a0b0c0d0e0f00000000004", shop(104, 106, 107, 110, 114) | {"OKR-10"}),
        ('assignee = "Dora Schmidt" AND type = Story', {"PAY-2", "PAY-3", "PAY-7"}),
        ("assignee IS EMPTY AND project = SHOP", shop(109, 113, 115)),
        (
            "project = SHOP AND NOT statusCategory = Done AND NOT parent = SHOP-102",
            shop(100, 102, 112, 113, 115),
        ),
        ("(labels = mobile OR labels = tech-debt) AND statusCategory = Done", shop(101, 110, 116)),
        ('project = SHOP AND status WAS "In Review"', shop(103, 104, 112)),
        ('project = SHOP AND status WAS NOT "In Progress" AND statusCategory = Done', shop(106)),
        ("project = PAY AND resolution = Unresolved", {"PAY-1", "PAY-3", "PAY-6"}),
        ("project = PAY AND resolution = Fertig", {"PAY-2", "PAY-4", "PAY-5", "PAY-7"}),
        (
            "project = SHOP && statusCategory = done && ! issuetype = Bug",
            shop(103, 104, 105, 106, 107, 108, 110, 116),
        ),
    ],
)
def test_evaluates_on_the_seeded_site(jql: str, expected: set[str]) -> None:
    assert key_set(jql) == expected


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        # created after the anchor: the scope added during the cycle
        ('project = SHOP AND created > "2027-01-01"', shop(110, 111, 112, 113, 114, 115, 116)),
        ('project = SHOP AND created >= "2027/01/06 10:00"', shop(111, 112, 113, 114, 115, 116)),
        ('project = SHOP AND created > "2027/01/06 10:00"', shop(112, 113, 114, 115, 116)),
        # 1798761600000 ms = 2027-01-01 00:00 UTC, 1799452800000 = 2027-01-09 00:00 UTC:
        # an unquoted number is epoch millis. SHOP-105 was done on 01-07 but re-opened.
        (
            "project = SHOP AND resolved >= 1798761600000 AND resolved < 1799452800000",
            shop(106, 107),
        ),
        ("project = SHOP AND resolutiondate IS EMPTY", shop(100, 102, 109, 112, 113, 114, 115)),
        ("project = SHOP AND updated >= -7d", shop(116, 114)),
        ("project = SHOP AND updated >= -1w", shop(116, 114)),
        # now is 2027-02-20 12:00 UTC: startOfDay(-8) is 02-12 00:00, endOfDay(-10) 02-10 23:59
        (
            "project = SHOP AND updated < startOfDay(-8)",
            shop(100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 113, 115),
        ),
        ("project = SHOP AND updated > endOfDay(-10)", shop(109, 112, 113, 114, 116)),
        ("project = SHOP AND updated > startOfMonth()", shop(108, 109, 112, 113, 114, 116)),
        (
            "project = SHOP AND created >= startOfYear() AND created < now()",
            shop(110, 111, 112, 113, 114, 115, 116),
        ),
    ],
)
def test_dates(jql: str, expected: set[str]) -> None:
    assert key_set(jql) == expected


def test_date_literals_are_read_in_the_users_time_zone() -> None:
    dora = STATE.users["61a0b0c0d0e0f00000000005"]  # Europe/Berlin, UTC+1 in January
    query = 'project = SHOP AND created >= "2027-01-06 11:00"'
    as_dora = {i.key for i in run_query(STATE, query, dora)}
    as_bot = key_set(query)
    # SHOP-111 was created 2027-01-06 10:00 UTC = 11:00 in Berlin.
    assert "SHOP-111" in as_dora
    assert "SHOP-111" not in as_bot


def test_epoch_millis_compare_to_the_millisecond() -> None:
    created = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)  # SHOP-111
    millis = int(created.timestamp() * 1000)
    assert "SHOP-111" in key_set(f"project = SHOP AND created >= {millis}")
    assert "SHOP-111" not in key_set(f"project = SHOP AND created > {millis}")
    assert "SHOP-111" not in key_set(f"project = SHOP AND created >= {millis + 1}")


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = SHOP ORDER BY key", [f"SHOP-{n}" for n in range(100, 117)]),
        ("project = SHOP ORDER BY key DESC", [f"SHOP-{n}" for n in range(116, 99, -1)]),
        ("project = PAY", ["PAY-7", "PAY-6", "PAY-5", "PAY-4", "PAY-3", "PAY-2", "PAY-1"]),
        (
            "parent = SHOP-100 ORDER BY resolved ASC, key",
            [
                "SHOP-103",
                "SHOP-106",
                "SHOP-104",
                "SHOP-111",
                "SHOP-105",
                "SHOP-108",
                "SHOP-116",
                "SHOP-112",
                "SHOP-113",
            ],
        ),
        (
            'parent = SHOP-100 ORDER BY "Story point estimate" DESC, key ASC',
            [
                "SHOP-106",
                "SHOP-113",
                "SHOP-104",
                "SHOP-103",
                "SHOP-112",
                "SHOP-105",
                "SHOP-108",
                "SHOP-116",
                "SHOP-111",
            ],
        ),
        ("project = OKR AND type = Objective ORDER BY summary", ["OKR-10", "OKR-2", "OKR-1"]),
    ],
)
def test_ordering(jql: str, expected: list[str]) -> None:
    assert keys(jql) == expected


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            "project foo SHOP",
            "Error in the JQL Query: Expecting operator but got 'foo'. The valid operators are "
            "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. "
            "(line 1, character 9)",
        ),
        (
            "nosuchfield = 1",
            "Field 'nosuchfield' does not exist or you do not have permission to view it.",
        ),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        (
            "project = SHOP AND status = Frozen",
            "The value 'Frozen' does not exist for the field 'status'.",
        ),
        ("summary = checkout", "The operator '=' is not supported by the 'summary' field."),
        ("project ~ SHOP", "The operator '~' is not supported by the 'project' field."),
        (
            "summary in checkout",
            "Operator 'in' does not support the non-list value '\"checkout\"' for field 'summary'.",
        ),
        (
            "project = SHOP AND (status = Done",
            "Error in the JQL Query: Expecting ')' before the end of the query.",
        ),
        (
            "project = ",
            "Error in the JQL Query: Expecting either a value, list or function before the end "
            "of the query.",
        ),
        (
            "project = SHOP AND",
            "Error in the JQL Query: Expecting a field name before the end of the query.",
        ),
        (
            "project = SHOP done",
            "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'done'. "
            "(line 1, character 16)",
        ),
        (
            'summary ~ "unfinished',
            "Error in the JQL Query: The quoted string 'unfinished' has not been completed. "
            "(line 1, character 11)",
        ),
        (
            "created > 2027-13-45",
            "Date value '2027-13-45' for field 'created' is invalid. Valid formats include: "
            "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
            "format e.g. '-5d', '4w 2d'.",
        ),
        ("key = SHOP-999", "An issue with key 'SHOP-999' does not exist for field 'key'."),
        ("parent = nonsense", "The issue key 'nonsense' for field 'parent' is invalid."),
        ("sprint = Nope", "The value 'Nope' does not exist for the field 'sprint'."),
        ("project = SHOP AND status = fooBar()", "Unable to find JQL function 'fooBar()'."),
        ("project = SHOP ORDER BY labels", "Field 'labels' does not support sorting."),
        (
            '"Story point estimate" > lots',
            "The value 'lots' is not a valid number for the field 'Story point estimate'.",
        ),
    ],
)
def test_error_messages(jql: str, message: str) -> None:
    with pytest.raises(JqlError) as raised:
        run_query(STATE, jql, STATE.bot)
    assert raised.value.messages == [message]


def test_every_value_problem_is_reported() -> None:
    with pytest.raises(JqlError) as raised:
        run_query(STATE, "project = NOPE AND status = Frozen", STATE.bot)
    assert raised.value.messages == [
        "The value 'NOPE' does not exist for the field 'project'.",
        "The value 'Frozen' does not exist for the field 'status'.",
    ]


def test_errors_come_back_as_400_over_http(http: httpx.Client) -> None:
    response = http.get("/rest/api/3/search/jql", params={"jql": "project = NOPE"})
    assert response.status_code == 400
    assert response.json() == {
        "errorMessages": ["The value 'NOPE' does not exist for the field 'project'."],
        "errors": {},
    }


def test_keywords_and_fields_are_case_insensitive() -> None:
    assert key_set("PROJECT = pay and STATUSCATEGORY = DONE order BY KEY") == {
        "PAY-2",
        "PAY-4",
        "PAY-5",
        "PAY-7",
    }


def test_parser_keeps_structure() -> None:
    query = parse('a = 1 AND (b = 2 OR NOT c in (x, "y z")) ORDER BY d DESC, e')
    assert query.where is not None
    assert [k.field.name for k in query.order_by] == ["d", "e"]
    assert [k.descending for k in query.order_by] == [True, None]


def test_compiled_query_narrows_by_project_and_key() -> None:
    compiled = compile_query(
        "project in (SHOP, PAY) AND key in (SHOP-104, PAY-2)", STATE, STATE.bot
    )
    assert compiled.projects == frozenset({"SHOP", "PAY"})
    assert compiled.issue_ids == frozenset({10005, 10019})


@pytest.mark.slow
def test_a_hundred_thousand_issues_stay_searchable() -> None:
    big = build_dataset(ANCHOR.date(), extra_issues=100_000)
    found = run_query(big, "project = BULK AND statusCategory = Done AND cf[10016] >= 8", big.bot)
    assert 0 < len(found) < 100_000
    assert all(i.status.category.key == "done" for i in found)
    assert len(run_query(big, "key = BULK-99999", big.bot)) == 1
