"""Run a JQL query over the site, caching ordered results between pages."""

from __future__ import annotations

import weakref
from collections import OrderedDict

from okrsync_sandbox.jql.compiler import CompiledQuery, compile_query
from okrsync_sandbox.jql.errors import JqlError
from okrsync_sandbox.model import Issue, User
from okrsync_sandbox.state import SandboxState

UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
_CACHE_SIZE = 16
# Paging a 100,000-issue result re-runs the same query for every page; a per-site cache
# keyed by (data version, jql, account) makes that one evaluation.
_CACHES: weakref.WeakKeyDictionary[SandboxState, OrderedDict[tuple[int, str, str], list[Issue]]]
_CACHES = weakref.WeakKeyDictionary()


def run_query(
    state: SandboxState, jql: str, user: User, *, require_bounded: bool = True
) -> list[Issue]:
    """Issues matching ``jql`` in result order; raises ``JqlError`` with Jira's messages."""
    cache = _CACHES.setdefault(state, OrderedDict())
    cache_key = (state.version, jql, user.account_id)
    cached = cache.get(cache_key)
    if cached is not None:
        cache.move_to_end(cache_key)
        return cached
    compiled = compile_query(jql, state, user)
    if require_bounded and not compiled.bounded:
        raise JqlError(UNBOUNDED)
    result = compiled.order(_candidates_matching(state, compiled))
    if not compiled.uses_now:
        cache[cache_key] = result
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return result


def _candidates_matching(state: SandboxState, compiled: CompiledQuery) -> list[Issue]:
    predicate = compiled.predicate
    if compiled.issue_ids is not None:
        pool = [
            state.issues_by_id[i] for i in sorted(compiled.issue_ids) if i in state.issues_by_id
        ]
    elif compiled.projects is not None:
        pool = [i for key in sorted(compiled.projects) for i in state.by_project.get(key, [])]
        pool.sort(key=lambda issue: issue.id)
    else:
        pool = list(state.issues_by_id.values())
    return [issue for issue in pool if predicate(issue)]
