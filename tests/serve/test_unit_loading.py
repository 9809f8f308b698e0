"""What a unit run reads of the project: only the files its results depend on
(``UnitProject.evaluated_files``), and the project loaded again only when a file it
came from changed (``ProjectFiles``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from okrsync.project import load_project
from okrsync.serve.worker import ProjectFiles
from okrsync.units import UnitProject

CONFIG = (
    "database: sqlite:///okrsync.db\nmappings: [mappings/]\ntimezone: UTC\n"
    "connectors:\n  jira:\n    type: jira\n    url: http://127.0.0.1:9\n"
    "    email: bot@example.com\n    token: ${UNIT_LOADING_UNSET_TOKEN}\n"
)


def team(objective: str, kr: str, aligns_to: str | None = None) -> str:
    aligned = f"    aligns_to: {aligns_to}\n" if aligns_to else ""
    return (
        "version: 1\ncycle: 2027-Q1\ndefaults: {source: jira}\nobjectives:\n"
        f"  - id: {objective}\n    title: {objective}\n{aligned}    key_results:\n"
        f"      - id: {kr}\n        title: {kr}\n        select: {{query: project = X}}\n"
        "        measure: done\n        target: 3\n"
    )


def workspace(folder: Path) -> Path:
    (folder / "mappings").mkdir()
    (folder / "mappings" / "company.yaml").write_text(team("grow", "grow-kr"))
    (folder / "mappings" / "shop.yaml").write_text(team("shop", "shop-kr", aligns_to="grow"))
    (folder / "mappings" / "pay.yaml").write_text(team("pay", "pay-kr", aligns_to="grow"))
    (folder / "mappings" / "alone.yaml").write_text(team("alone", "alone-kr"))
    config = folder / "okrsync.yaml"
    config.write_text(CONFIG)
    return config


def evaluated(config: Path, unit: str) -> list[str]:
    project = UnitProject(load_project(str(config)), unit)
    return sorted(o.id for m in project.evaluated_files() for o in m.objectives)


def test_a_unit_evaluates_its_own_file_and_its_alignment_tree_only(tmp_path: Path) -> None:
    config = workspace(tmp_path)
    # Nothing aligns with the lone team: its file alone.
    assert evaluated(config, "mappings/alone.yaml") == ["alone"]
    # shop aligns to grow, which pay aligns to as well: grow's score rolls up both.
    assert evaluated(config, "mappings/shop.yaml") == ["grow", "pay", "shop"]
    assert evaluated(config, "mappings/company.yaml") == ["grow", "pay", "shop"]
    # The whole project evaluates every file.
    assert len(load_project(str(config)).evaluated_files()) == 4


def saved(path: Path, text: str, seconds_ago: float) -> None:
    """Write ``path`` as saved ``seconds_ago`` (a file modified while the project was
    being loaded is loaded again on the next run: these are older)."""
    path.write_text(text)
    when = time.time_ns() - int(seconds_ago * 1e9)
    os.utime(path, ns=(when, when))


def test_the_project_is_loaded_again_only_when_a_file_changed(tmp_path: Path) -> None:
    config = workspace(tmp_path)
    for path in [config, *(tmp_path / "mappings").iterdir()]:
        saved(path, path.read_text(), 100)
    files = ProjectFiles(str(config))
    first = files.project()
    assert files.project() is first  # nothing changed: the same project
    # An edit is read.
    saved(tmp_path / "mappings" / "shop.yaml", team("shop", "shop-kr-renamed", "grow"), 50)
    edited = files.project()
    assert edited is not first and edited.has_kr("shop-kr-renamed")
    assert files.project() is edited
    # A mapping file added to the folder is a new unit.
    saved(tmp_path / "mappings" / "ops.yaml", team("ops", "ops-kr"), 40)
    assert files.project().has_kr("ops-kr")
    # One removed is gone.
    (tmp_path / "mappings" / "ops.yaml").unlink()
    assert not files.project().has_kr("ops-kr")
