"""Writing the report: all or nothing, no temporary files left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from okrsync.errors import ConfigError
from okrsync.report import write_report


def test_writes_the_page_and_replaces_an_older_one(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    assert write_report(target, "<p>new ✓</p>") == target
    assert target.read_text(encoding="utf-8") == "<p>new ✓</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_the_file_is_readable_by_others_like_any_file(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        target = write_report(str(tmp_path / "report.html"), "<p></p>")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_report_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_report(target, "half \ud800 written")  # a lone surrogate cannot be UTF-8
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="create the folder"):
        write_report(tmp_path / "nowhere" / "report.html", "<p></p>")
