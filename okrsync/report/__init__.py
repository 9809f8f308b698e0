"""``okrsync report``: the OKRs as one self-contained HTML page for a review screen.

The page needs no network: styles are inline and charts are SVG drawn here.
"""

from okrsync.report._page import render_report
from okrsync.report._write import write_report

__all__ = ["render_report", "write_report"]
