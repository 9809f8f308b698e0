"""Turning stored items and their history into KR values, progress and statuses as of
any instant T. Pure computation: data comes in through a ``DataView``.

    evaluation = evaluate(files, data_view, as_of, ZoneInfo("Europe/Berlin"))
    evaluation.to_dict()  # the --json document: as_of, objectives, key_results
"""

from okrsync.evaluate.engine import evaluate, evaluate_key_result
from okrsync.evaluate.flow import percentile
from okrsync.evaluate.formula import Expr, FormulaError, FormulaUndefined, parse_formula
from okrsync.evaluate.results import (
    Evaluation,
    Evidence,
    ItemEvidence,
    KrResult,
    ObjectiveResult,
    OverrideInfo,
    Status,
)
from okrsync.evaluate.scoring import Margins
from okrsync.evaluate.snapshot import DataView
from okrsync.evaluate.state import ItemAt, Timeline

__all__ = [
    "DataView",
    "Evaluation",
    "Evidence",
    "Expr",
    "FormulaError",
    "FormulaUndefined",
    "ItemAt",
    "ItemEvidence",
    "KrResult",
    "Margins",
    "ObjectiveResult",
    "OverrideInfo",
    "Status",
    "Timeline",
    "evaluate",
    "evaluate_key_result",
    "parse_formula",
    "percentile",
]
