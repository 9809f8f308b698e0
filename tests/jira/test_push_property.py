"""Fitting the ``okrsync`` entity property under Jira's 32 KB limit."""

from __future__ import annotations

import json
from typing import Any

from okrsync_jira.push import PROPERTY_LIMIT, fit_property


def size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def result(items: int, warnings: int = 1) -> dict[str, Any]:
    return {
        "id": "ship",
        "progress": 0.4,
        "evidence": {
            "counts": {"done": items // 2, "total": items},
            "items": [{"key": f"SHOP-{n}", "done": n % 2 == 0} for n in range(items)],
        },
        "warnings": [f"warning {n}" for n in range(warnings)],
    }


def test_a_value_that_fits_is_returned_unchanged() -> None:
    value = result(10)
    assert fit_property(value) is value


def test_evidence_items_are_trimmed_as_little_as_possible() -> None:
    value = result(2000)
    assert size(value) > PROPERTY_LIMIT
    fitted = fit_property(value)
    assert size(fitted) <= PROPERTY_LIMIT
    kept = len(fitted["evidence"]["items"])
    assert fitted["evidence"]["items"] == value["evidence"]["items"][:kept]
    assert fitted["truncated"]["lists"] == {"evidence.items": {"kept": kept, "total": 2000}}
    # One item more would not fit: the trim is minimal.
    bigger = json.loads(json.dumps(fitted))
    bigger["evidence"]["items"].append(value["evidence"]["items"][kept])
    assert size(bigger) > PROPERTY_LIMIT
    # Everything outside the evidence lists is intact, and the input is not modified.
    assert fitted["warnings"] == value["warnings"] and fitted["progress"] == 0.4
    assert len(value["evidence"]["items"]) == 2000


def test_fitting_is_deterministic() -> None:
    # The same result must give the same property, or every apply would rewrite it.
    assert fit_property(result(3000)) == fit_property(result(3000))


def test_other_lists_are_trimmed_only_when_evidence_is_not_enough() -> None:
    value = result(0, warnings=3000)
    fitted = fit_property(value)
    assert size(fitted) <= PROPERTY_LIMIT
    kept = len(fitted["warnings"])
    assert 0 < kept < 3000
    assert fitted["truncated"]["lists"] == {"warnings": {"kept": kept, "total": 3000}}


def test_a_value_too_big_even_without_lists_keeps_its_small_scalars() -> None:
    value = {"id": "ship", "title": "x" * 40_000, "progress": 0.4, "evidence": {"items": []}}
    fitted = fit_property(value)
    assert size(fitted) <= PROPERTY_LIMIT
    assert fitted["id"] == "ship" and fitted["progress"] == 0.4
    assert "title" not in fitted and "truncated" in fitted


def test_the_limit_counts_bytes_not_characters() -> None:
    value = {"evidence": {"items": ["ü" * 10] * 100}}  # 20 bytes, 10 characters each
    fitted = fit_property(value, limit=1000)
    assert size(fitted) <= 1000
    assert len(fitted["evidence"]["items"]) < 50
