"""Writing the report file so that a reader never sees half of it."""

from __future__ import annotations

import os
from pathlib import Path

from okrsync.outfile import write_out


def write_report(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` through a temporary file in the same folder and a
    rename: a browser refreshing the report (or a web server serving it) sees the old
    file or the new one, never a partial write."""
    return write_out(path, html, "the report")
