"""A saved plan cannot smuggle writes: ``apply --plan`` performs a plan only if this
store made it and nothing in its writes changed since (its checksum), and only if every
write goes where the current mappings push. Each hostile file is refused whole: one
line, exit 1, no request that writes, nothing in the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import Workspace
from okrsync_sandbox import SandboxServer
from test_e2e_saved_plan import FIELD, MAPPING, saved_plan

from okrsync.saved_plan import checksum
from okrsync.store import Store

ADVICE = "nothing was written: make a fresh plan with 'okrsync plan --out {}' and apply that"


def load(path: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(path).read_text())
    return document


def save(path: str, document: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(document, indent=2))


def pushes_of(document: dict[str, Any], kr_id: str) -> list[dict[str, Any]]:
    pushes: list[dict[str, Any]] = next(
        kr["pushes"] for kr in document["key_results"] if kr["id"] == kr_id
    )
    return pushes


def assert_refused(workspace: Workspace, site: SandboxServer, saved: str, reason: str) -> None:
    site.reset_log()
    refused = workspace.run("apply", "--plan", saved)
    assert refused.exit_code == 1, refused
    assert refused.stdout == ""
    advice = ADVICE.format(saved)
    assert refused.stderr.splitlines() == [f"error: plan file {saved} {reason}; {advice}"]
    assert site.writes == []
    assert workspace.sql("SELECT count(*) FROM writes") == [(0,)]
    assert site.state.get("OKR-12").custom.get(FIELD) is None


@pytest.fixture
def planned(fresh: Workspace) -> str:
    fresh.use_mapping("checkout.yaml", MAPPING)
    return saved_plan(fresh)


def test_a_plan_carries_its_store_and_checksum_beside_the_contract_keys(
    fresh: Workspace, planned: str
) -> None:
    document = load(planned)
    assert {"as_of", "objectives", "key_results"} <= set(document)
    with Store.open(f"sqlite:///{fresh.db}") as store:
        store_id, secret = store.identity()
    assert document["store_id"] == store_id
    assert document["checksum"] == checksum(document, store_id, secret)
    assert document["checksum"].startswith("hmac-sha256:")
    # plan --json is the same document, bound the same way.
    shown = fresh.run("plan", "--json", "--no-pull")
    assert shown.exit_code == 2, shown
    assert shown.json["store_id"] == store_id
    assert shown.json["checksum"] == document["checksum"]


def test_an_edited_plan_is_refused(
    fresh: Workspace, fresh_site: SandboxServer, planned: str
) -> None:
    document = load(planned)
    field_push = pushes_of(document, "ship-one-click")[0]
    assert (field_push["what"], field_push["new"]) == ("field", 77.8)
    field_push["new"] = 100.0
    save(planned, document)

    assert_refused(
        fresh,
        fresh_site,
        planned,
        "was changed after it was saved: its checksum does not match its writes",
    )


def test_a_plan_made_from_another_store_is_refused(
    fresh: Workspace, fresh_site: SandboxServer, planned: str, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    other = Workspace(tmp_path / "other", fresh_site.url)
    other.use_mapping("checkout.yaml", MAPPING)
    foreign = str(tmp_path / "other" / "plan.json")
    assert other.run("plan", "--out", foreign).exit_code == 2
    foreign_id = load(foreign)["store_id"]
    own_id = load(planned)["store_id"]
    assert foreign_id != own_id

    assert_refused(
        fresh,
        fresh_site,
        foreign,
        f"was made from another store ({foreign_id}), not from sqlite:///{fresh.db} ({own_id})",
    )


def test_a_plan_without_a_binding_is_refused(
    fresh: Workspace, fresh_site: SandboxServer, planned: str
) -> None:
    document = load(planned)
    del document["store_id"], document["checksum"]
    save(planned, document)

    assert_refused(
        fresh,
        fresh_site,
        planned,
        "carries no store_id and checksum, so nothing shows that this store made it",
    )


def test_a_signed_plan_writing_where_no_mapping_pushes_is_refused(
    fresh: Workspace, fresh_site: SandboxServer, planned: str
) -> None:
    """Whoever holds the store's secret still cannot write to a story's estimate (the
    very data okrsync measures): the mappings never push there."""
    document = load(planned)
    pushes_of(document, "ship-one-click").insert(
        0,
        {
            "to": "jira",
            "target": "SHOP-101",
            "what": "field",
            "old": None,
            "new": 13,
            "field": "Story point estimate",
            "field_value": "current",
        },
    )
    with Store.open(f"sqlite:///{fresh.db}") as store:
        store_id, secret = store.identity()
    document["checksum"] = checksum(document, store_id, secret)
    save(planned, document)

    assert_refused(
        fresh,
        fresh_site,
        planned,
        "lists a write to SHOP-101 field Story point estimate in 'jira' for KR "
        "'ship-one-click', which its mapping does not push to",
    )
    assert fresh_site.state.get("SHOP-101").custom.get("customfield_10016") != 13


@pytest.mark.parametrize(
    ("written", "now", "reason"),
    [
        # After the plan was reviewed, the KR's push moved to another issue.
        (
            "issue: OKR-12",
            "issue: OKR-13",
            "lists a write to OKR-12 field KR Progress in 'jira' for KR 'ship-one-click', "
            "which its mapping does not push to",
        ),
        # ... or the KR was renamed.
        (
            "id: ship-one-click",
            "id: one-click",
            "lists a write for KR 'ship-one-click', which no mapping defines",
        ),
    ],
)
def test_a_plan_the_changed_mappings_no_longer_declare_is_refused(
    fresh: Workspace, fresh_site: SandboxServer, planned: str, written: str, now: str, reason: str
) -> None:
    fresh.use_mapping("checkout.yaml", MAPPING.replace(written, now))
    assert_refused(fresh, fresh_site, planned, reason)


def test_an_authentic_plan_still_applies(
    fresh: Workspace, fresh_site: SandboxServer, planned: str
) -> None:
    fresh_site.reset_log()
    applied = fresh.run("apply", "--plan", planned)
    assert applied.exit_code == 0, applied
    assert fresh_site.state.get("OKR-12").custom[FIELD] == 77.8
    assert fresh.sql("SELECT count(*) FROM writes") == [(3,)]
