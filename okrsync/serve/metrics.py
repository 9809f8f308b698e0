"""``/metrics``: what the service did, in Prometheus text format.

Counters and histograms are kept as runs end and deliveries arrive; the KR series are
read from the store at each scrape, so they always show the latest recorded results,
whichever process recorded them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

STATUSES = ("on_track", "at_risk", "off_track")


class ServeMetrics:
    """Every series the service exports, in a registry of its own."""

    def __init__(self, latest_results: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry()
        self.runs = Counter(
            "okrsync_runs",
            "Unit runs finished, by unit and outcome (ok, partial, failed)",
            ["unit", "outcome"],
            registry=self.registry,
        )
        self.run_seconds = Histogram(
            "okrsync_run_duration_seconds",
            "How long unit runs took",
            ["unit"],
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800),
            registry=self.registry,
        )
        self.last_success = Gauge(
            "okrsync_last_success_timestamp_seconds",
            "When the unit's last run that was not failed ended (Unix time)",
            ["unit"],
            registry=self.registry,
        )
        self.requests = Counter(
            "okrsync_requests",
            "Answers received from each connector instance",
            ["instance"],
            registry=self.registry,
        )
        self.throttled = Counter(
            "okrsync_requests_429",
            "Answers 429 Too Many Requests from each connector instance",
            ["instance"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "okrsync_webhook_deliveries",
            "Webhook deliveries by instance and outcome (accepted, duplicate, refused)",
            ["instance", "outcome"],
            registry=self.registry,
        )
        self.registry.register(_KrCollector(latest_results))

    def answered(self, instance: str, status: int) -> None:
        self.requests.labels(instance).inc()
        if status == 429:
            self.throttled.labels(instance).inc()

    def answered_elsewhere(self, requests: Mapping[str, int], throttled: Mapping[str, int]) -> None:
        """Count the answers a run on a worker received, by instance."""
        for instance, count in requests.items():
            self.requests.labels(instance).inc(count)
        for instance, count in throttled.items():
            self.throttled.labels(instance).inc(count)

    def run_ended(self, unit: str, outcome: str, seconds: float, ended: float) -> None:
        self.runs.labels(unit, outcome).inc()
        self.run_seconds.labels(unit).observe(seconds)
        if outcome != "failed":
            self.last_success.labels(unit).set(ended)

    def text(self) -> bytes:
        return generate_latest(self.registry)


class _KrCollector(Collector):
    """KR progress (0–1, as recorded) and status, from the store's latest results."""

    def __init__(self, latest_results: Callable[[], Any]) -> None:
        self._latest = latest_results

    def collect(self) -> Iterator[Metric]:
        progress = GaugeMetricFamily(
            "okrsync_kr_progress", "Each KR's latest recorded progress (1 = target)", labels=["kr"]
        )
        status = GaugeMetricFamily(
            "okrsync_kr_status",
            "1 for each KR's latest recorded status, 0 for the others",
            labels=["kr", "status"],
        )
        try:
            _as_of, krs, _objectives = self._latest()
        except Exception:
            krs = []  # the store is away: /readyz says so; the other series still show
        for kr in krs:
            if kr.progress is not None:
                progress.add_metric([kr.kr_id], kr.progress)
            for name in STATUSES:
                status.add_metric([kr.kr_id, name], 1.0 if kr.status == name else 0.0)
        yield progress
        yield status
