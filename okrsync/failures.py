"""A KR that one run could not measure or push, and where its mapping says what failed.

A failure that belongs to one KR — the tool rejects its query, its metric source is
down, its push target does not exist or is not a number field — must not stop the
other KRs: that KR is left out of the run (not scored, not pushed, not recorded, and
its objective is scored from its other KRs), the run is recorded as ``partial`` and
the command exits 1. A failure that is no single KR's (the site is down for every
query, the credentials are refused) still fails the whole run.

``okrsync status`` then shows the KR's last good value, marked stale with the failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from okrsync.errors import AuthError, FieldNotFound, QueryError, SourceConfigError, SourceError
from okrsync.mapping.models import FormulaInput, MetricMeasure, Push, Selection
from okrsync.secrets import redact

if TYPE_CHECKING:
    from okrsync.project import KeyResultRef
    from okrsync.store import KrResult, Store

# What of a KR failed: its selection's query, its measure's metric, or a push target.
Step = Literal["select", "measure", "push"]


@dataclass(frozen=True)
class KrFailure:
    """One KR's failure in one run: ``where`` is ``FILE:LINE:COL`` of the mapping's
    ``select``, ``measure`` or ``push`` that failed; ``error`` the tool's message."""

    kr_id: str
    where: str
    error: str

    def __str__(self) -> str:
        return f"{self.where}: error: KR {self.kr_id}: {self.error}"

    def to_dict(self) -> dict[str, str]:
        return {"kr": self.kr_id, "where": self.where, "error": self.error}

    @classmethod
    def of(cls, ref: KeyResultRef, where: str, error: BaseException) -> KrFailure:
        return cls(ref.id, where, redact(str(error) or type(error).__name__))


def fails_one_kr(error: BaseException, step: Step) -> bool:
    """Whether ``error`` belongs to the one KR whose ``step`` raised it.

    Refused credentials are the whole instance's. A query's other failures (the site
    down, a rate limit kept up) hold for every query, so only a rejected query is its
    KR's; a metric belongs to its KRs whatever went wrong reading it; a push target
    fails its KR when the tool refuses it (missing, not a number field, not editable)."""
    if isinstance(error, AuthError):
        return False
    if step == "select":
        return isinstance(error, QueryError)
    if step == "measure":
        return isinstance(error, SourceError)
    return isinstance(error, SourceConfigError)


# --- where in the mapping ---------------------------------------------------------------


def _own_selections(
    select: Selection | list[Selection] | None, path: tuple[Any, ...]
) -> Iterator[tuple[Selection, tuple[Any, ...]]]:
    if isinstance(select, list):
        for index, selection in enumerate(select):
            yield selection, (*path, index, "query")
    elif select is not None:
        yield select, (*path, "query")


def _input_paths(ref: KeyResultRef) -> Iterator[tuple[FormulaInput, tuple[Any, ...]]]:
    """Each formula input with its path; ``inputs:`` beside the measure wins, as in
    ``KeyResult.formula_inputs``."""
    kr = ref.kr
    for name, item in kr.formula_inputs().items():
        in_kr = kr.inputs is not None and name in kr.inputs
        yield item, (("inputs", name) if in_kr else ("measure", "inputs", name))


def selection_places(ref: KeyResultRef) -> list[tuple[str, str, str]]:
    """(instance, query, ``FILE:LINE:COL`` of the query) of every selection of the KR,
    its formula inputs' included."""
    found = list(_own_selections(ref.kr.select, ("select",)))
    for item, path in _input_paths(ref):
        found.extend(_own_selections(item.select, (*path, "select")))
    return [(ref.source_of(s), s.query, ref.location_of(*path)) for s, path in found]


def metric_places(ref: KeyResultRef) -> list[tuple[str, str, str]]:
    """(instance, metric name, ``FILE:LINE:COL``) of every metric the KR reads."""
    measures = [(ref.kr.measure, ("measure",))]
    measures += [(item.measure, (*path, "measure")) for item, path in _input_paths(ref)]
    return [
        (m.metric.source, m.metric.name, ref.location_of(*path, "metric"))
        for m, path in measures
        if isinstance(m, MetricMeasure)
    ]


def push_place(ref: KeyResultRef, push: Push, error: BaseException) -> str:
    """``FILE:LINE:COL`` of what in the push the tool refused: the field, else the issue."""
    index = next(i for i, p in enumerate(ref.kr.push) if p is push)
    if isinstance(error, FieldNotFound) and push.field is not None:
        return ref.location_of("push", index, "field")
    if push.issue is not None:
        return ref.location_of("push", index, "issue")
    return ref.location_of("push", index)


# --- status: the last good value, marked stale -------------------------------------------


def mark_stale(document: Mapping[str, Any], records: Sequence[KrResult], store: Store) -> None:
    """Mark, in a ``status`` document, each KR whose latest run since its last recorded
    result failed for it: ``"stale": true`` and ``"failure": {error, where, run}``.

    Only runs that assessed KRs (pulled or planned) count, newest first: one that
    assessed a KR without failing for it means its failure is over."""
    recorded = {r.kr_id: r.run_id or 0 for r in records if not r.backfilled}
    if not recorded:
        return
    failures: dict[str, dict[str, Any]] = {}
    settled: set[str] = set()
    for run_id, failed in store.assessing_runs(after=min(recorded.values())):
        for kr_id, since in recorded.items():
            if kr_id in settled or run_id <= since:
                continue
            settled.add(kr_id)
            entry = next((f for f in failed if f.get("kr") == kr_id), None)
            if entry is not None:
                failures[kr_id] = {
                    "error": entry.get("error"),
                    "where": entry.get("where"),
                    "run": run_id,
                }
    for kr in document["key_results"]:
        failure = failures.get(kr.get("id"))
        if failure is not None:
            kr["stale"] = True
            kr["failure"] = failure
