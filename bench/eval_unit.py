"""``python -m bench.eval_unit --config FILE --unit N --out FILE``: a service's re-score.

In one process, as a service holds the last evaluation: every KR evaluated from the
store (``runs.evaluate_project``, what ``plan --no-pull`` runs), then one unit (mapping
file N) re-scored after its sync (``runs.rescore_units``), each timed.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from bench.contender import write_result
from bench.eval_data import AS_OF
from okrsync import runs
from okrsync.project import load_project
from okrsync.store import Store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--unit", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    project = load_project(args.config)
    at = datetime.fromisoformat(AS_OF + "T23:59:59.999999").replace(tzinfo=project.timezone)
    with Store.open(project.database_url) as store:
        started = time.perf_counter()
        everything = runs.evaluate_project(project, store, at)
        evaluated = time.perf_counter()
        unit = project.files[args.unit]
        again = runs.rescore_units(project, store, at, [unit], everything)
        rescored = time.perf_counter()
    krs = sum(len(objective.key_results) for objective in unit.objectives)
    same = again.to_dict() == everything.to_dict()
    write_result(
        args.out,
        {
            "evaluate_seconds": evaluated - started,
            "rescore_seconds": rescored - evaluated,
            "unit_krs": krs,
            "same_results": same,
        },
    )


if __name__ == "__main__":
    main()
