"""Outcome metric values over time: recorded per pull, read back as of any instant."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from store_helpers import T0

from okrsync.store import Store

DAY = timedelta(days=1)


def test_the_value_at_an_instant_is_the_latest_recorded_at_or_before_it(store: Store) -> None:
    store.record_metric("analytics", "conversion", T0, 2.1)
    store.record_metric("analytics", "conversion", T0 + 2 * DAY, 2.4)
    store.record_metric("analytics", "nps", T0 + DAY, 31.0)
    store.record_metric("web", "conversion", T0 + DAY, 9.0)

    assert store.metric_at("analytics", "conversion", T0 - timedelta(seconds=1)) is None
    assert store.metric_at("analytics", "conversion", T0) == 2.1  # at counts
    assert store.metric_at("analytics", "conversion", T0 + DAY) == 2.1
    assert store.metric_at("analytics", "conversion", T0 + 2 * DAY) == 2.4
    assert store.metric_at("analytics", "conversion", T0 + 30 * DAY) == 2.4
    # Each (source, name) is a series of its own.
    assert store.metric_at("analytics", "nps", T0 + 2 * DAY) == 31.0
    assert store.metric_at("web", "conversion", T0 + 2 * DAY) == 9.0
    assert store.metric_at("analytics", "revenue", T0 + 2 * DAY) is None


def test_the_series_is_oldest_first_and_one_instant_holds_one_value(store: Store) -> None:
    store.record_metric("analytics", "conversion", T0 + DAY, 2.4)
    store.record_metric("analytics", "conversion", T0, 2.1)
    store.record_metric("analytics", "conversion", T0 + DAY, 2.5)  # read again: replaced

    assert store.metric_series("analytics", "conversion") == [(T0, 2.1), (T0 + DAY, 2.5)]
    assert store.metric_series("analytics", "nps") == []
    # Times come back aware and in UTC, whatever the backend.
    (first, _), _ = store.metric_series("analytics", "conversion")
    assert first.utcoffset() == timedelta(0)


def test_values_that_are_not_finite_numbers_are_refused(store: Store) -> None:
    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError, match="is not a finite number"):
            store.record_metric("analytics", "conversion", T0, bad)
    with pytest.raises(ValueError, match="naive datetime"):
        store.record_metric("analytics", "conversion", T0.replace(tzinfo=None), 1.0)
    assert store.metric_series("analytics", "conversion") == []


def test_metric_values_survive_reopening(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.record_metric("analytics", "conversion", T0, 2.1)
    with Store.open(store_url) as store:
        assert store.metric_at("analytics", "conversion", T0 + DAY) == 2.1
