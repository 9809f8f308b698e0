"""Site-wide configuration every sandbox site shares: categories, types, fields.

Ids follow a fresh Jira Cloud site where Jira fixes them (status categories 2/4/3,
``customfield_10014`` Epic Link, ``10016`` story point estimate, ``10020`` Sprint) so
that code tuned against the sandbox meets familiar values on a real site.
"""

from __future__ import annotations

from okrsync_sandbox.model import FieldDef, IssueType, Priority, StatusCategory

NO_CATEGORY = StatusCategory(1, "undefined", "No Category", "medium-gray")
TODO = StatusCategory(2, "new", "To Do", "blue-gray")
IN_PROGRESS = StatusCategory(4, "indeterminate", "In Progress", "yellow")
DONE = StatusCategory(3, "done", "Done", "green")
STATUS_CATEGORIES = (NO_CATEGORY, TODO, DONE, IN_PROGRESS)

EPIC = IssueType("10000", "Epic", 1, "A big user story that needs to be broken down.")
STORY = IssueType("10001", "Story", 0, "Functionality or a feature expressed as a user goal.")
TASK = IssueType("10002", "Task", 0, "A small, distinct piece of work.")
SUBTASK = IssueType("10003", "Subtask", -1, "A small piece of work that's part of a larger task.")
BUG = IssueType("10004", "Bug", 0, "A problem or error.")
OBJECTIVE = IssueType("10005", "Objective", 1, "An objective of the current cycle.")
KEY_RESULT = IssueType("10006", "Key Result", 0, "A measurable key result of an objective.")
ISSUE_TYPES = (EPIC, STORY, TASK, SUBTASK, BUG, OBJECTIVE, KEY_RESULT)

PRIORITIES = tuple(
    Priority(str(i), name)
    for i, name in enumerate(("Highest", "High", "Medium", "Low", "Lowest"), 1)
)
MEDIUM = PRIORITIES[2]

EPIC_LINK = "customfield_10014"
STORY_POINTS = "customfield_10016"
RANK = "customfield_10019"
SPRINT = "customfield_10020"
KR_PROGRESS = "customfield_10100"
TEAM_CONFIDENCE = "customfield_10101"

_FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"


def _system(
    id: str,
    name: str,
    kind: str,
    schema: dict[str, str] | None,
    clauses: tuple[str, ...],
    **flags: bool,
) -> FieldDef:
    return FieldDef(id, name, kind, schema or {}, clauses, **flags)


def _custom(id: str, name: str, kind: str, schema: dict[str, str], **flags: bool) -> FieldDef:
    number = int(id.rsplit("_", 1)[1])
    full = {**schema, "customId": number}
    return FieldDef(id, name, kind, full, (f"cf[{number}]", name), custom=True, **flags)


def _sys_schema(type_: str, system: str, items: str | None = None) -> dict[str, str]:
    schema = {"type": type_, "system": system}
    if items:
        schema["items"] = items
    return schema


FIELDS: tuple[FieldDef, ...] = (
    _system(
        "summary", "Summary", "text", _sys_schema("string", "summary"), ("summary",), editable=True
    ),
    _system(
        "description",
        "Description",
        "text",
        _sys_schema("string", "description"),
        ("description",),
        editable=True,
    ),
    _system("status", "Status", "status", _sys_schema("status", "status"), ("status",)),
    _system(
        "statusCategory",
        "Status Category",
        "statuscategory",
        None,
        ("statusCategory",),
        navigable=False,
        orderable=False,
    ),
    _system(
        "issuetype",
        "Issue Type",
        "issuetype",
        _sys_schema("issuetype", "issuetype"),
        ("issuetype", "type"),
    ),
    _system("project", "Project", "project", _sys_schema("project", "project"), ("project",)),
    _system(
        "issuekey",
        "Key",
        "issuekey",
        None,
        ("id", "issue", "issuekey", "key"),
        searchable=True,
    ),
    _system(
        "created",
        "Created",
        "datetime",
        _sys_schema("datetime", "created"),
        ("created", "createdDate"),
    ),
    _system(
        "updated",
        "Updated",
        "datetime",
        _sys_schema("datetime", "updated"),
        ("updated", "updatedDate"),
    ),
    _system(
        "resolutiondate",
        "Resolved",
        "datetime",
        _sys_schema("datetime", "resolutiondate"),
        ("resolutiondate", "resolved"),
    ),
    _system(
        "statuscategorychangedate",
        "Status Category Changed",
        "datetime",
        _sys_schema("datetime", "statuscategorychangedate"),
        ("statusCategoryChangedDate",),
    ),
    _system(
        "resolution",
        "Resolution",
        "resolution",
        _sys_schema("resolution", "resolution"),
        ("resolution",),
    ),
    _system(
        "priority",
        "Priority",
        "priority",
        _sys_schema("priority", "priority"),
        ("priority",),
        editable=True,
    ),
    _system(
        "labels",
        "Labels",
        "labels",
        _sys_schema("array", "labels", "string"),
        ("labels",),
        editable=True,
    ),
    _system(
        "assignee",
        "Assignee",
        "user",
        _sys_schema("user", "assignee"),
        ("assignee",),
        editable=True,
    ),
    _system(
        "reporter",
        "Reporter",
        "user",
        _sys_schema("user", "reporter"),
        ("reporter",),
        editable=True,
    ),
    _system(
        "parent",
        "Parent",
        "parent",
        _sys_schema("issuelink", "parent"),
        ("parent",),
        orderable=False,
        editable=True,
    ),
    _system(
        "subtasks",
        "Sub-tasks",
        "other",
        _sys_schema("array", "subtasks", "issuelinks"),
        ("subtasks",),
        orderable=False,
        searchable=False,
    ),
    _system(
        "comment",
        "Comment",
        "comment",
        _sys_schema("comments-page", "comment"),
        ("comment",),
        navigable=False,
    ),
    _custom(
        EPIC_LINK,
        "Epic Link",
        "epiclink",
        {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"},
        editable=True,
    ),
    _custom(
        STORY_POINTS,
        "Story point estimate",
        "number",
        {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points"},
        editable=True,
    ),
    _custom(
        RANK, "Rank", "other", {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"}
    ),
    _custom(
        SPRINT,
        "Sprint",
        "sprint",
        {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"},
        editable=True,
    ),
    _custom(
        KR_PROGRESS, "KR Progress", "number", {"type": "number", "custom": _FLOAT}, editable=True
    ),
    _custom(
        TEAM_CONFIDENCE,
        "Team Confidence",
        "number",
        {"type": "number", "custom": _FLOAT},
        editable=True,
    ),
)

_BASE_SCREEN = frozenset({"summary", "description", "labels", "assignee", "reporter", "priority"})
_WORK_SCREEN = _BASE_SCREEN | {"parent", STORY_POINTS, SPRINT, EPIC_LINK}
_SUBTASK_SCREEN = _BASE_SCREEN | {"parent"}


def software_screens() -> dict[str, frozenset[str]]:
    """Edit screens of a Scrum software project (SHOP, PAY)."""
    return {
        "Epic": _BASE_SCREEN,
        "Story": _WORK_SCREEN,
        "Task": _WORK_SCREEN,
        "Bug": _WORK_SCREEN,
        "Subtask": _SUBTASK_SCREEN,
    }


def okr_screens() -> dict[str, frozenset[str]]:
    """Edit screens of the OKR project: KR Progress is on Key Results only."""
    return {
        "Objective": _BASE_SCREEN | {TEAM_CONFIDENCE},
        "Key Result": _BASE_SCREEN | {"parent", KR_PROGRESS, TEAM_CONFIDENCE},
        "Task": _BASE_SCREEN | {"parent"},
    }
