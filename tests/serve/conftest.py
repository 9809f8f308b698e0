"""The service's tests reuse the end-to-end harness (tests/e2e/e2e_harness.py), the
report tests' PNG decoder (tests/report/report_png.py) and the contract's examples
(tests/mapping/mapping_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

for folder in ("e2e", "report", "mapping"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / folder))

# The browser tests find Debian's chromium the way the report's browser test does.
from test_report_browser import chromium  # noqa: E402

__all__ = ["chromium"]
