"""Sync units: one mapping file (a team's OKRs in a cycle) pulled, scored, recorded and
pushed on its own, so that one team's failing site or typo never holds back another.

A unit run pulls only the queries its file's KRs select, reads and writes only their
push targets, and records their results with those of the file's objectives and of
every objective they align to (in any file): a parent objective is re-scored whenever
one of its units changes. Evaluation still sees every file, as ``aligns_to`` may cross
files; what it reads of other units comes from the store as their last runs left it.

A unit is named by its file's path relative to the config file's folder
(``mappings/checkout.yaml``): the same name from any working directory, so the unit's
run lock and its recorded runs do not depend on where okrsync was started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from okrsync.errors import ConfigError
from okrsync.evaluate import Evaluation
from okrsync.mapping.loader import did_you_mean
from okrsync.mapping.models import MappingFile
from okrsync.project import Project

T = TypeVar("T")


# What depends on the loaded project alone, worked out once for it: resolving hundreds
# of paths, or following every objective's alignment chain, costs more than a small
# unit's run.
_KEPT: WeakKeyDictionary[Project, dict[str, Any]] = WeakKeyDictionary()


def _once(project: Project, what: str, work: Callable[[], T]) -> T:
    kept = _KEPT.setdefault(project, {})
    if what not in kept:
        kept[what] = work()
    return cast(T, kept[what])


def _relative_name(project: Project, path: Path) -> str:
    try:
        return path.relative_to(project.config_path.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


def unit_name(project: Project, file: str) -> str:
    """The unit name of one of the project's mapping files (as ``file_names`` shows it)."""
    return _relative_name(project, Path(file).resolve())


def _resolved_files(project: Project) -> list[Path]:
    return _once(project, "paths", lambda: [Path(f).resolve() for f in project.file_names])


def unit_names(project: Project) -> list[str]:
    """Every unit of the project, in load order."""
    names = _once(
        project,
        "names",
        lambda: [_relative_name(project, path) for path in _resolved_files(project)],
    )
    return list(names)


def find_unit(project: Project, given: str) -> str:
    """The unit a user named, by its path from the current directory or its unit name;
    ``ConfigError`` (with close matches) when no loaded mapping file is that file."""
    names = unit_names(project)
    wanted = Path(given).resolve()
    for path, name in zip(_resolved_files(project), names, strict=True):
        if given == name or path == wanted:
            return name
    hint = did_you_mean(given, names)
    raise ConfigError(
        f"'{given}' is not one of the mapping files {project.config_file} loads{hint}; "
        f"the units are: {', '.join(names)}"
    )


def _alignment_tops(project: Project) -> dict[str, str]:
    """Each objective's id → the id of the top of the alignment tree it is in."""
    objectives = project._objectives

    def top(objective_id: str) -> str:
        seen = [objective_id]
        parent = objectives[objective_id].objective.aligns_to
        while parent is not None and parent in objectives and parent not in seen:
            seen.append(parent)
            parent = objectives[parent].objective.aligns_to
        return seen[-1]

    return _once(project, "tops", lambda: {ref.id: top(ref.id) for ref in project.objectives()})


class UnitProject(Project):
    """The project as one unit's run sees it: the unit's key results only (what is
    pulled, read, pushed and back-filled), every file evaluated."""

    def __init__(self, whole: Project, unit: str) -> None:
        # A view: everything is the whole project's but the key results.
        self.__dict__.update(whole.__dict__)
        self.whole = whole
        self.unit = find_unit(whole, unit)
        names = dict(zip(unit_names(whole), whole.file_names, strict=True))
        self.unit_file = names[self.unit]
        self._krs = {kr_id: ref for kr_id, ref in whole._krs.items() if ref.file == self.unit_file}

    def pulled_files(self) -> list[MappingFile]:
        index = self.file_names.index(self.unit_file)
        return [self.files[index]]

    def evaluated_files(self) -> list[MappingFile]:
        """The unit's file and the files of every objective in the alignment trees its
        objectives belong to (an objective's score rolls up all it aligns below it):
        a unit run evaluates only what its recorded results depend on."""
        tops = _alignment_tops(self.whole)
        roots = {tops[ref.id] for ref in self.objectives() if ref.file == self.unit_file}
        needed = {self.unit_file} | {r.file for r in self.objectives() if tops[r.id] in roots}
        return [m for m, name in zip(self.files, self.file_names, strict=True) if name in needed]

    def recorded_objectives(self) -> list[str]:
        """The unit's objectives and every objective they align to, transitively."""
        found: list[str] = []
        for ref in self.objectives():
            if ref.file != self.unit_file:
                continue
            current: str | None = ref.id
            while current is not None and current not in found:
                found.append(current)
                current = self.objective(current).objective.aligns_to
        return found

    def own_results(self, evaluation: Evaluation) -> Evaluation:
        krs = set(self._krs)
        objectives = set(self.recorded_objectives())
        return replace(
            evaluation,
            key_results=[r for r in evaluation.key_results if r.id in krs],
            objectives=[o for o in evaluation.objectives if o.id in objectives],
        )
