"""The whole loop through the CLI against both dialects of Jira: Cloud (REST v3, email
and API token) and Data Center (REST v2, a personal access token). The example
mappings must score the same, push the same writes, and leave nothing pending."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_harness import EXAMPLE_KR_IDS, Workspace, sandbox_site
from okrsync_sandbox import PAT


def sync_then_plan(tmp_path: Path, deployment: Any) -> tuple[dict[str, Any], int, list[str]]:
    """Scores after one sync, the writes Jira received, and the API roots they used."""
    with sandbox_site(deployment=deployment) as site:
        folder = tmp_path / deployment
        folder.mkdir()
        workspace = Workspace(folder, site.url)
        if deployment != "Cloud":
            workspace.write_config(email=None, token=PAT)
        synced = workspace.run("sync")
        assert synced.exit_code == 0, synced
        again = workspace.run("plan", "--json")
        assert again.exit_code == 0, again  # exit 0: nothing left to push
        scores = {
            kr["id"]: (kr["value"], kr["progress"], kr["status"])
            for kr in again.json["key_results"]
        }
        roots = sorted({entry.path.split("/")[3] for entry in site.log if "/api/" in entry.path})
        return scores, len(site.writes), roots


def test_cloud_and_data_center_score_and_push_the_same(tmp_path: Path) -> None:
    cloud, cloud_writes, cloud_roots = sync_then_plan(tmp_path, "Cloud")
    center, center_writes, center_roots = sync_then_plan(tmp_path, "Server")

    assert sorted(cloud) == sorted(EXAMPLE_KR_IDS)
    assert center == cloud
    assert round(cloud["ship-one-click"][0], 2) == 75.48  # the demo's figure (DATASET.md)
    assert center_writes == cloud_writes == 10
    # Each dialect was spoken: REST v3 to Cloud, v2 to Data Center.
    assert cloud_roots == ["3"] and center_roots == ["2"]
