"""The service's tests reuse the end-to-end harness (tests/e2e/e2e_harness.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
