"""``okrsync report``: the OKRs as one self-contained HTML page for a review screen.

The page needs no network: styles are inline and charts are SVG drawn here.
``render_report`` is pure; ``build_report`` gathers its inputs from a project and store.
"""

from okrsync.report._inputs import build_report, kr_cycles, kr_histories
from okrsync.report._insights import insights_section
from okrsync.report._page import render_report
from okrsync.report._write import write_report

__all__ = [
    "build_report",
    "insights_section",
    "kr_cycles",
    "kr_histories",
    "render_report",
    "write_report",
]
