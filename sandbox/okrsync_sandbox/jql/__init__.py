"""A JQL subset: parse (``syntax``), resolve and compile (``compiler``), run (``search``)."""

from okrsync_sandbox.jql.compiler import CompiledQuery, compile_query
from okrsync_sandbox.jql.errors import JqlError
from okrsync_sandbox.jql.search import run_query

__all__ = ["CompiledQuery", "JqlError", "compile_query", "run_query"]
