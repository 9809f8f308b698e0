"""An outcome KR measured by a metric source (``type: http_json``), end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import Workspace, json_server, okrsync_comments, writes_of
from okrsync_sandbox import SandboxServer

# The shared conversion KR, and what this file adds to it.
MAPPING = (
    (Path(__file__).parents[1] / "data" / "conversion_kr.yaml").read_text()
    + """\
        push: [{to: jira, issue: OKR-4, field: KR Progress, comment: true}]
"""
)


@pytest.fixture
def analytics() -> Iterator[str]:
    with json_server({"data": {"conversion_rate": 2.55}}) as url:
        yield url


def test_a_metric_kr_is_scored_and_pushed(
    fresh_site: SandboxServer, tmp_path: Path, analytics: str
) -> None:
    workspace = Workspace(tmp_path, fresh_site.url)
    workspace.use_mapping("outcomes.yaml", MAPPING)
    workspace.write_config(
        extra=(
            "  analytics:\n"
            "    type: http_json\n"
            f"    url: {analytics}\n"
            "    metrics:\n"
            "      checkout_conversion: /data/conversion_rate\n"
        )
    )

    synced = workspace.run("sync")

    assert synced.exit_code == 0, synced
    # (2.55 - 2.1) / (3.0 - 2.1) = 0.5
    assert fresh_site.state.get("OKR-4").custom["customfield_10100"] == 50.0
    (comment,) = okrsync_comments(fresh_site, "OKR-4")
    assert "Value: 2.55 (baseline 2.1, target 3)" in str(comment.body)
    status = workspace.run("status", "--json")
    (kr,) = status.json["key_results"]
    assert (kr["value"], kr["progress"], kr["warnings"]) == (2.55, pytest.approx(0.5), [])

    explained = workspace.run("explain", "conversion")
    assert explained.exit_code == 0, explained
    assert "progress = (value 2.55 − baseline 2.1) / (target 3 − baseline 2.1) = 0.5" in (
        explained.stdout
    )
    assert "no value" not in explained.stdout

    fresh_site.reset_log()
    again = workspace.run("plan", "--no-pull")
    assert again.exit_code == 0, again  # the metric is read again: nothing changed
    assert writes_of(fresh_site) == []
