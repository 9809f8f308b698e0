"""Every GraphQL document the connector sends (the contract tests validate each against
GitHub's published schema: ``DOCUMENTS``)."""

from __future__ import annotations

_FIELD_NAME = "field { ... on ProjectV2FieldCommon { name } }"

_PARENT = "parent { number repository { nameWithOwner } }"
_MERGED = "\n        ... on MergedEvent { id createdAt }"


def _events(*, pull: bool) -> str:
    """The timeline events okrsync reads (a merge happens to pull requests only)."""
    merged = _MERGED if pull else ""
    return f"""
      nodes {{
        __typename
        ... on AssignedEvent {{ id createdAt }}
        ... on ClosedEvent {{ id createdAt stateReason }}
        ... on ReopenedEvent {{ id createdAt }}{merged}
        ... on ProjectV2ItemStatusChangedEvent {{
          id createdAt previousStatus status project {{ id }}
        }}
        ... on ParentIssueAddedEvent {{ id createdAt {_PARENT} }}
        ... on ParentIssueRemovedEvent {{ id createdAt {_PARENT} }}
      }}
      pageInfo {{ hasNextPage endCursor }}"""


ISSUE_EVENT_TYPES = (
    "[ASSIGNED_EVENT, CLOSED_EVENT, REOPENED_EVENT, PROJECT_V2_ITEM_STATUS_CHANGED_EVENT, "
    "PARENT_ISSUE_ADDED_EVENT, PARENT_ISSUE_REMOVED_EVENT]"
)
PULL_EVENT_TYPES = (
    "[ASSIGNED_EVENT, CLOSED_EVENT, REOPENED_EVENT, MERGED_EVENT, "
    "PROJECT_V2_ITEM_STATUS_CHANGED_EVENT]"
)

_ISSUE_EVENTS = _events(pull=False)
_PULL_EVENTS = _events(pull=True)

# Each project item of an issue with its field values (a pull reads them all, a push
# its number field).
_PROJECT_ITEMS = f"""
    projectItems(first: 20) {{
      nodes {{
        id
        project {{ id }}
        fieldValues(first: 50) {{
          nodes {{
            __typename
            ... on ProjectV2ItemFieldNumberValue {{ number {_FIELD_NAME} }}
            ... on ProjectV2ItemFieldIterationValue {{ iterationId {_FIELD_NAME} }}
            ... on ProjectV2ItemFieldSingleSelectValue {{ name {_FIELD_NAME} }}
          }}
        }}
      }}
    }}"""

_COMMON = f"""
    id number title createdAt updatedAt closedAt
    repository {{ nameWithOwner }}
    labels(first: 50) {{ nodes {{ name }} }}{_PROJECT_ITEMS}"""

# One batch of issues and pull requests (at most 100 ids), each with its history.
NODES = f"""query Items($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    __typename
    ... on Issue {{
      {_COMMON}
      stateReason
      issueType {{ name }}
      parent {{ number repository {{ nameWithOwner }} }}
      timelineItems(first: 100, itemTypes: {ISSUE_EVENT_TYPES}) {{{_ISSUE_EVENTS}
      }}
    }}
    ... on PullRequest {{
      {_COMMON}
      merged mergedAt
      timelineItems(first: 100, itemTypes: {PULL_EVENT_TYPES}) {{{_PULL_EVENTS}
      }}
    }}
  }}
}}"""

# The rest of one long timeline.
TIMELINE = f"""query Timeline($id: ID!, $after: String!) {{
  node(id: $id) {{
    __typename
    ... on Issue {{
      timelineItems(first: 100, after: $after, itemTypes: {ISSUE_EVENT_TYPES}) {{{_ISSUE_EVENTS}
      }}
    }}
    ... on PullRequest {{
      timelineItems(first: 100, after: $after, itemTypes: {PULL_EVENT_TYPES}) {{{_PULL_EVENTS}
      }}
    }}
  }}
}}"""

PROJECT = """query Project($owner: String!, $number: Int!) {
  organization(login: $owner) {
    projectV2(number: $number) {
      id
      title
      fields(first: 50) {
        nodes {
          __typename
          ... on ProjectV2FieldCommon { id name dataType }
          ... on ProjectV2SingleSelectField { options { id name } }
          ... on ProjectV2IterationField {
            configuration {
              iterations { id title startDate duration }
              completedIterations { id title startDate duration }
            }
          }
        }
      }
    }
  }
}"""

# The project item of the issue a KR pushes its field to.
ISSUE_ITEM = f"""query IssueItem($owner: String!, $name: String!, $number: Int!) {{
  repository(owner: $owner, name: $name) {{
    issue(number: $number) {{
      id{_PROJECT_ITEMS}
    }}
  }}
}}"""

SET_NUMBER = """mutation SetNumber($project: ID!, $item: ID!, $field: ID!, $number: Float!) {
  updateProjectV2ItemFieldValue(
    input: {projectId: $project, itemId: $item, fieldId: $field, value: {number: $number}}
  ) {
    projectV2Item { id }
  }
}"""

DOCUMENTS = {
    "NODES": NODES,
    "TIMELINE": TIMELINE,
    "PROJECT": PROJECT,
    "ISSUE_ITEM": ISSUE_ITEM,
    "SET_NUMBER": SET_NUMBER,
}
