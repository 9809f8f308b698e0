"""Turning stored items and their history into KR values, progress and statuses as of
any instant T. Pure computation: data comes in through a ``DataView``.

    evaluation = evaluate(files, data_view, as_of, ZoneInfo("Europe/Berlin"))
    evaluation.to_dict()  # the --json document: as_of, objectives, key_results
"""

from okrsync.evaluate.engine import evaluate
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

__all__ = [
    "DataView",
    "Evaluation",
    "Evidence",
    "Expr",
    "FormulaError",
    "FormulaUndefined",
    "ItemEvidence",
    "KrResult",
    "Margins",
    "ObjectiveResult",
    "OverrideInfo",
    "Status",
    "evaluate",
    "parse_formula",
    "percentile",
]
