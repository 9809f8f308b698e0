"""The next cycle's mapping file, written from a closed one: the same objectives and
selections, every KR's baseline set to its final value, the KRs that did not reach
their target marked as carried over (a comment above them), overrides dropped (they
belonged to the old cycle). The champion then edits the targets.

A KR that reached its target keeps its baseline (a baseline equal to the target is not
a KR) and is marked for a new target. KR and objective ids stay the same, so a KR can
be followed from cycle to cycle: move the closed file out of the mappings before the
next sync, its final results stay in the store.

From a plan (``cycle: 2027-H1``) the next file is written once the plan's last cycle
(2027-Q2) or the plan itself is closed: its final values become the baselines and the
per-cycle ``targets`` are dropped (they named the old plan's cycles); ``--cycle`` may
name the next plan (2027-H2) or a single cycle. After closing an earlier cycle of the
plan (2027-Q1) there is no next file to write: the plan's file goes on into its next
cycle, and saying so is the answer.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from okrsync.errors import ConfigError
from okrsync.mapping.cycle import Cycle, parse_named_cycle
from okrsync.store._closures import ClosureRecord
from okrsync.summary import number


def closed_cycle_of(cycle: Cycle, closed: Collection[str]) -> str:
    """The cycle of a file of ``cycle`` whose close the next file follows: the file's
    own, or in a plan the latest of its cycles that is closed (the plan itself, closed
    whole, counts as its last). ``closed``: the labels of the closed cycles."""
    if not cycle.is_plan or cycle.label in closed:
        return cycle.label
    done = [part for part in cycle.parts if part.label in closed]
    if not done:
        return cycle.label
    last = done[-1]
    if last != cycle.parts[-1]:
        following = cycle.parts[cycle.parts.index(last) + 1]
        raise ConfigError(
            f"{last.label} is closed, but the plan {cycle.label} goes on in "
            f"{following.label} in the same file: there is no next file to write yet. "
            f"Close {cycle.parts[-1].label} (the plan's last cycle) and write the next "
            "plan from it"
        )
    return last.label


def next_cycle_text(source: Path, closure: ClosureRecord, cycle: str) -> tuple[str, list[str]]:
    """The next file's YAML and the ids of the KRs carried over."""
    parse_named_cycle(cycle)  # a clear error for a cycle that is not one
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{source}: cannot read it as a mapping file: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("objectives"), list):
        raise ConfigError(f"{source}: not a mapping file (no 'objectives' list)")
    finals = {kr["id"]: kr for kr in closure.results.get("key_results", [])}
    document["cycle"] = cycle
    marks: dict[str, str] = {}
    for objective in document["objectives"]:
        for kr in objective.get("key_results") or []:
            final = finals.get(kr.get("id"))
            if final is not None:
                marks[kr["id"]] = _carry(kr, final, closure.cycle)
            kr.pop("targets", None)  # the old plan's cycles
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=88)
    lines = [
        f"# The next cycle after {closure.cycle}, written by 'okrsync next-cycle' from "
        f"{source.name}:",
        "# baselines are the final values; edit the targets.",
    ]
    for line in text.splitlines():
        stripped = line.lstrip()
        kr_id = stripped[len("- id: ") :] if stripped.startswith("- id: ") else None
        if kr_id in marks:
            lines.append(" " * (len(line) - len(stripped)) + f"# {marks[kr_id]}")
        lines.append(line)
    carried = [kr_id for kr_id, mark in marks.items() if mark.startswith("carried over")]
    return "\n".join(lines) + "\n", carried


def _carry(kr: dict[str, Any], final: dict[str, Any], closed: str) -> str:
    """Set the KR up for the next cycle; returns the comment that marks it."""
    kr.pop("override", None)
    value, progress = final.get("value"), final.get("progress")
    if value is None:
        return f"carried over from {closed}: it had no value at the end"
    shown = number(value, final.get("unit") or "")
    if progress is not None and progress >= 1:
        return f"reached its target in {closed} (final {shown}): set a new target"
    kr["baseline"] = round(float(value), 4)
    reached = "" if progress is None else f", progress {progress * 100:.0f}%"
    return f"carried over: ended {closed} at {shown}{reached}"
