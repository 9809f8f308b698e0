"""The terminal's view of plans of several cycles: per plan, every objective and KR
with its score and status in each cycle, then across the whole plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from okrsync.cli.tables import Col, fitted_table, status_text


def cycles_tables(document: Mapping[str, Any], width: int = 80) -> list[Table]:
    """One table per plan among the results (none when every file is one cycle)."""
    krs = {kr["id"]: kr for kr in document["key_results"]}
    plans: dict[str, list[Mapping[str, Any]]] = {}
    for objective in document["objectives"]:
        if objective.get("cycles"):
            plans.setdefault(str(objective.get("cycle") or ""), []).append(objective)
    tables = []
    for plan, objectives in plans.items():
        labels = [str(c["cycle"]) for c in objectives[0]["cycles"]]
        rows: list[list[Any]] = []
        for objective in objectives:
            rows.append([Text(objective["id"], style="bold"), *_cells(objective, labels)])
            for kr_id in objective["key_results"]:
                if kr_id in krs and krs[kr_id].get("cycles"):
                    rows.append([f"  {kr_id}", *_cells(krs[kr_id], labels)])
        columns = [
            Col("objective / key result", flex=3),
            *(Col(label) for label in labels),
            Col("plan"),
        ]
        tables.append(fitted_table(f"plan {plan} by cycle", columns, rows, width))
    return tables


def _cells(result: Mapping[str, Any], labels: Sequence[str]) -> list[Text]:
    by_label = {c["cycle"]: c for c in result.get("cycles") or ()}
    cells = [_cell(by_label.get(label, {})) for label in labels]
    cells.append(_cell(result))
    return cells


def _cell(entry: Mapping[str, Any]) -> Text:
    """``86% on track``: whole percents, so that a plan's cycles fit 80 columns; a
    cycle without a score yet (not started) shows its status alone."""
    if not entry:
        return Text("—", style="dim")
    score = entry.get("score", entry.get("progress"))
    text = Text("" if score is None else f"{score * 100:.0f}% ")
    text.append_text(status_text(str(entry.get("status") or "no_data")))
    return text
