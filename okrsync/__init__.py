"""okrsync: turn the work Scrum teams finish in agile tools into scored OKR progress.

The public API, for scripts and services that embed okrsync::

    from okrsync import load_project, Store
    from okrsync.evaluate import evaluate

    project = load_project("okrsync.yaml")
    store = Store.open(project.database_url)

Everything else is internal. Names load on first use, so ``import okrsync`` stays cheap
for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_project": "okrsync.project",
    "Project": "okrsync.project",
    "Store": "okrsync.store",
    "Evaluation": "okrsync.evaluate",
    "KrResult": "okrsync.evaluate",
    "ObjectiveResult": "okrsync.evaluate",
    "Connector": "okrsync.connector",
    "MetricSource": "okrsync.connector",
    "Item": "okrsync.items",
    "Change": "okrsync.items",
    "Sprint": "okrsync.items",
    "OkrsyncError": "okrsync.errors",
    "ConfigError": "okrsync.errors",
    "SourceError": "okrsync.errors",
    "TransientError": "okrsync.errors",
}

__all__ = [
    "Change",
    "ConfigError",
    "Connector",
    "Evaluation",
    "Item",
    "KrResult",
    "MetricSource",
    "ObjectiveResult",
    "OkrsyncError",
    "Project",
    "SourceError",
    "Sprint",
    "Store",
    "TransientError",
    "__version__",
    "load_project",
]

if TYPE_CHECKING:
    from okrsync.connector import Connector, MetricSource
    from okrsync.errors import ConfigError, OkrsyncError, SourceError, TransientError
    from okrsync.evaluate import Evaluation, KrResult, ObjectiveResult
    from okrsync.items import Change, Item, Sprint
    from okrsync.project import Project, load_project
    from okrsync.store import Store


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'okrsync' has no attribute {name!r}")
    return getattr(import_module(module), name)
