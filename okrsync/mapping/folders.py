"""Mapping files stay inside the folders the config names.

A mapping folder may hold a symbolic link to a file anywhere (committed to a shared
repository, say). okrsync would read it and could print its lines in a validation
message, so a mapping path whose real location is outside the folder its ``mappings:``
entry names is refused, and never read.
"""

from __future__ import annotations

import glob
from pathlib import Path


def folder_of(entry: str) -> Path:
    """The folder a ``mappings:`` entry names, symbolic links resolved: a folder
    itself, a pattern's fixed leading part, a file's folder."""
    path = Path(entry)
    if glob.has_magic(entry):
        fixed: list[str] = []
        for part in path.parts:
            if glob.has_magic(part):
                break
            fixed.append(part)
        return Path(*fixed).resolve() if fixed else Path.cwd()
    return (path if path.is_dir() else path.parent).resolve()


def outside_folder(entry: str, paths: list[Path]) -> list[Path]:
    """The ``paths`` found for ``entry`` that really are outside its folder."""
    folder = folder_of(entry)
    return [path for path in paths if not path.resolve().is_relative_to(folder)]


def outside_message(path: str, entry: str) -> str:
    """The problem, with both named as the config shows them."""
    return (
        f"mapping file '{path}' resolves through a symbolic link to a file outside "
        f"'{entry}'; okrsync reads mapping files only inside the folders the config names: "
        "move the file there, or name its own folder under `mappings:`"
    )
