"""Writing the report file so that a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from okrsync.errors import ConfigError


def write_report(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` through a temporary file in the same folder and a
    rename: a browser refreshing the report (or a web server serving it) sees the old
    file or the new one, never a partial write."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise ConfigError(f"cannot write the report to {target}: create the folder {folder} first")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(html)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; a report is meant to be shared like any file.
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
