"""Checks across every loaded mapping file and the config, each located."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapping_helpers import CONFIG, isolate, strs, write_tree

from okrsync.project import validate


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


FILE_A = """
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: faster-checkout
    title: Shoppers breeze through checkout
    aligns_to: grow-revenu
    key_results:
      - id: ship-one-click
        title: Ship one-click checkout
        select: {query: parent = SHOP-100}
        measure: completion
"""

FILE_B = """
version: 1
cycle: 2027-Q1
objectives:
  - id: grow-revenue
    title: Grow revenue
  - id: faster-checkout
    title: The same id again
    key_results:
      - id: ship-one-click
        title: The same KR id again
        select: {source: jria, query: project = SHOP}
        measure: count
        target: 10
      - id: no-source
        title: A selection without a source
        select: {query: project = PAY}
        measure: count
        target: 3
"""


def test_problems_across_files_name_both_places(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"okrsync.yaml": CONFIG, "mappings/a.yaml": FILE_A, "mappings/b.yaml": FILE_B}
    )
    assert strs(validate(None)) == [
        "mappings/a.yaml:7:16: error: objective 'faster-checkout' aligns_to 'grow-revenu', "
        "which no loaded mapping file defines (did you mean 'grow-revenue'?)",
        "mappings/b.yaml:6:5: error: duplicate objective id 'faster-checkout': "
        "also defined at mappings/a.yaml:5:5",
        "mappings/b.yaml:9:9: error: duplicate key result id 'ship-one-click': "
        "also defined at mappings/a.yaml:9:9",
        "mappings/b.yaml:11:26: error: unknown connector 'jria' (did you mean 'jira'?); "
        "defined connectors: jira",
        "mappings/b.yaml:16:17: error: this selection names no 'source' and the file has no "
        "'defaults: {source: ...}'; add one of them (defined connectors: jira)",
    ]


def test_alignment_cycles_name_the_chain(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": CONFIG,
            "mappings/c.yaml": """
                version: 1
                cycle: 2027-Q1
                objectives:
                  - id: alpha
                    title: A
                    aligns_to: beta
                  - id: beta
                    title: B
                    aligns_to: gamma
                  - id: gamma
                    title: C
                    aligns_to: alpha
                  - id: solo
                    title: S
                    aligns_to: solo
                  - id: child
                    title: Aligned to a cycle, but not in it
                    aligns_to: alpha
                """,
        },
    )
    assert strs(validate(None)) == [
        "mappings/c.yaml:6:16: error: alignment cycle: alpha → beta → gamma → alpha; "
        "an objective cannot be aligned to itself, directly or through its parents",
        "mappings/c.yaml:15:16: error: alignment cycle: solo → solo; "
        "an objective cannot be aligned to itself, directly or through its parents",
    ]


def test_every_connector_reference_is_checked(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": CONFIG,
            "mappings/d.yaml": """
                version: 1
                cycle: 2027-Q1
                defaults: {source: jir}
                objectives:
                  - id: outcomes
                    title: Outcomes
                    key_results:
                      - id: conversion
                        title: Conversion
                        measure: {metric: {source: analytics, name: checkout_conversion}}
                        baseline: 2.1
                        target: 3.0
                        push:
                          - {to: jiraa, issue: OKR-4, comment: true}
                      - id: ratio
                        title: Ratio
                        measure:
                          formula: a / b
                          inputs:
                            a: {measure: done, select: {source: github, query: is:pr}}
                            b: {measure: {metric: {source: web, name: visits}}}
                        target: 1
                """,
        },
    )
    assert strs(validate(None)) == [
        "mappings/d.yaml:3:20: error: unknown connector 'jir' (did you mean 'jira'?); "
        "defined connectors: jira",
        "mappings/d.yaml:10:36: error: unknown connector 'analytics'; defined connectors: jira",
        "mappings/d.yaml:14:18: error: unknown connector 'jiraa' (did you mean 'jira'?); "
        "defined connectors: jira",
        "mappings/d.yaml:20:49: error: unknown connector 'github'; defined connectors: jira",
        "mappings/d.yaml:21:44: error: unknown connector 'web'; defined connectors: jira",
    ]


def test_two_key_results_cannot_write_the_same_place(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "okrsync.yaml": CONFIG,
            "mappings/e.yaml": """
                version: 1
                cycle: 2027-Q1
                defaults: {source: jira}
                objectives:
                  - id: o
                    title: O
                    key_results:
                      - id: first
                        title: First
                        select: {query: project = SHOP}
                        measure: completion
                        push: [{to: jira, issue: OKR-12, field: KR Progress, comment: true}]
                      - id: second
                        title: Second
                        select: {query: project = PAY}
                        measure: completion
                        push: [{to: jira, issue: okr-12, field: customfield_10100}]
                      - id: third
                        title: Third
                        select: {query: project = PAY}
                        measure: done
                        target: 4
                        push: [{to: jira, issue: OKR-12, comment: true}]
                """,
        },
    )
    assert strs(validate(None)) == [
        "mappings/e.yaml:23:16: error: key results 'first' and 'third' both write the okrsync "
        "comment of OKR-12 (see mappings/e.yaml:8:9); give each KR its own issue",
    ]


def test_problems_in_one_file_do_not_hide_problems_across_files(tmp_path: Path) -> None:
    broken = FILE_B.replace("title: Grow revenue", "title: Grow revenue\n    colour: blue")
    write_tree(
        tmp_path, {"okrsync.yaml": CONFIG, "mappings/a.yaml": FILE_A, "mappings/b.yaml": broken}
    )
    found = strs(validate(None))
    assert found[0] == (
        "mappings/a.yaml:7:16: error: objective 'faster-checkout' aligns_to 'grow-revenu', "
        "which no loaded mapping file defines (did you mean 'grow-revenue'?)"
    )
    assert found[1].startswith("mappings/b.yaml:6:5: error: unknown key 'colour' in objective")
    # The duplicate objective sits in the valid part of the broken file: still found.
    assert found[2] == (
        "mappings/b.yaml:7:5: error: duplicate objective id 'faster-checkout': "
        "also defined at mappings/a.yaml:5:5"
    )
    assert len(found) == 6
