"""The example connector in examples/connector (a package of its own, okrsync_toytracker)
passes the same conformance kit as the bundled connectors, and a config can name it once
its entry point is registered: a tool is added by its connector folder and an entry
point alone. Nothing is installed: the example's folders go on sys.path, and its entry
point is registered with ``okrsync.testing.connector_type``."""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from okrsync.cli import app
from okrsync.testing import connector_type

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "connector"
GUIDE = EXAMPLE.parents[1] / "docs" / "connectors.md"
sys.path[:0] = [str(EXAMPLE), str(EXAMPLE / "tests")]

# The example's own conformance test, collected here as it is there.
from test_toytracker_conformance import TestToyTracker  # noqa: E402
from toy_server import TOKEN, ToyServer  # noqa: E402

__all__ = ["TestToyTracker"]

MAPPING = """\
version: 1
cycle: {start: 2027-01-01, end: 2027-03-31}
objectives:
  - id: ship
    title: Ship one-click
    key_results:
      - id: shop-done
        title: Finish the shop items
        select: {source: toy, query: project=shop}
        measure: completion
        weight_by: points
        push:
          - {to: toy, issue: "9", field: progress, comment: true}
"""


@pytest.fixture
def registered() -> Iterator[str]:
    """The entry point the example's pyproject.toml declares."""
    declared = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    ((name, value),) = declared["project"]["entry-points"]["okrsync.connectors"].items()
    with connector_type(name, value):
        yield name


def test_a_config_names_the_example_type_and_okrsync_syncs_it(
    tmp_path: Path, registered: str
) -> None:
    with ToyServer() as toy:
        (tmp_path / "team.yaml").write_text(MAPPING)
        config = tmp_path / "okrsync.yaml"
        config.write_text(
            f"database: sqlite:///{tmp_path / 'okrsync.db'}\n"
            f"mappings: [{tmp_path / 'team.yaml'}]\n"
            "timezone: UTC\n"
            f"connectors:\n  toy:\n    type: {registered}\n    url: {toy.url}\n"
            "    token: ${TOY_TOKEN}\n"
        )
        env = {"TOY_TOKEN": TOKEN}
        run = CliRunner().invoke(
            app, ["--config", str(config), "sync", "--as-of", "2027-01-20"], env=env
        )
        assert run.exit_code == 0, run.output
        # Items 1 (3 points, done), 2 (8) and 3 (2): 3 of 13 points done = 23.08%; the
        # field gets the percent with one decimal, the comment the summary.
        held = toy.items["9"]["fields"]["progress"]
        assert held == 23.1
        (comment,) = toy.comments.values()
        assert comment["body"].startswith("okrsync:kr=shop-done\n")
        writes = toy.writes
        assert writes == 2
        again = CliRunner().invoke(
            app, ["--config", str(config), "sync", "--as-of", "2027-01-20"], env=env
        )
        assert again.exit_code == 0, again.output
        assert toy.writes == writes  # nothing changed: nothing written


def test_without_its_entry_point_the_type_is_unknown(tmp_path: Path) -> None:
    config = tmp_path / "okrsync.yaml"
    config.write_text("connectors:\n  toy:\n    type: toytracker\n    url: http://127.0.0.1:9\n")
    run = CliRunner().invoke(app, ["--config", str(config), "validate"])
    assert run.exit_code == 1
    assert "toytracker" in run.output and "installed types" in run.output


def test_every_snippet_of_the_guide_is_the_example_s_code() -> None:
    """A code block of docs/connectors.md that starts with ``# examples/...`` is a
    verbatim excerpt of that file."""
    blocks = re.findall(r"```(?:python|toml)\n# (examples/\S+)\n(.*?)```", GUIDE.read_text(), re.S)
    # The entry point, the settings and capabilities, call, pull, changes, read and
    # write, and the conformance test.
    assert len(blocks) == 7
    for name, snippet in blocks:
        source = (EXAMPLE.parents[1] / name).read_text()
        assert snippet in source, f"docs/connectors.md quotes {name} as it no longer is"
