"""Writing an ``--out`` file: a regular file, replaced whole, never anything else.

The file is written to a temporary file in the same folder and renamed over the old
one, so a reader (a browser refreshing the report, a reviewer opening the plan) sees
the old file or the new one, never a partial write. A path that is a symbolic link, a
folder or a device is refused rather than replaced: renaming over ``/dev/null`` would
replace the device, and following a link could overwrite a file anywhere.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from okrsync.errors import ConfigError


def _refusal(target: Path) -> str | None:
    """Why ``target`` is no place for the file, or None for a regular file or nothing."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        return _reason(error)
    if stat.S_ISLNK(mode):
        return "it is a symbolic link, and okrsync replaces only regular files"
    if stat.S_ISDIR(mode):
        return "it is a folder: give a file name"
    if not stat.S_ISREG(mode):
        return "it is a device or special file, and okrsync writes only regular files"
    return None


def check_out(path: str | os.PathLike[str], what: str) -> None:
    """Refuse, before any work is done, a path ``write_out`` would refuse."""
    target = Path(path)
    refusal = _refusal(target)
    if refusal is not None:
        raise ConfigError(f"cannot write {what} to {target}: {refusal}")
    if not target.parent.is_dir():
        raise ConfigError(
            f"cannot write {what} to {target}: create the folder {target.parent} first"
        )


def write_out(
    path: str | os.PathLike[str], text: str | Callable[[TextIO], None], what: str
) -> Path:
    """Write ``text`` to the regular file ``path`` (``what`` names it in errors, "the
    plan"); every failure is a ``ConfigError`` of one line. ``text`` may be a function
    that writes to the file it is given: a large document is streamed into the
    temporary file rather than held whole in memory."""
    target = Path(path)
    folder = target.parent
    check_out(target, what)  # again: the path may have changed while okrsync worked
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=folder
        )
    except OSError as error:
        raise ConfigError(f"cannot write {what} to {target}: {_reason(error)}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                text(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; an output is meant to be shared like any file.
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"cannot write {what} to {target}: {_reason(error)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
