"""Request metrics middleware and the Prometheus ``/metrics`` exposition.

The instruments live in :mod:`treasury.metrics` (any layer may update them). Requests are
labelled by their route *template* (``/api/v1/datasets/{slug}/rows``), never the raw path, so
the number of series stays bounded; paths no route matches count as ``<unmatched>``.

Pipeline runs are read from the run log in the app database when ``/metrics`` is scraped, so
every worker reports the same figures and nothing must be shared between processes.

With ``PROMETHEUS_MULTIPROC_DIR`` set, each worker writes its samples to files in that folder
and :func:`exposition` merges them (prometheus-client's multiprocess mode); without it, each
process reports only its own requests.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from treasury.metrics import LATENCY, REQUESTS

UNMATCHED = "<unmatched>"
#: Methods counted by name; any other is ``OTHER`` (clients may send any token as a method).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """The matched route's path template, or ``<unmatched>``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class MetricsMiddleware:
    """Count each HTTP request by method, route template and status; time it to its last byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_measure(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_measure)
        finally:
            method = str(scope.get("method", "GET"))
            method = method if method in METHODS else "OTHER"
            route = route_template(scope)
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)


class PipelineRunsCollector(Collector):
    """``treasury_pipeline_runs{status}`` and the last successful run's end, from the run log."""

    def collect(self) -> Iterable[Metric]:
        """Query the app database at scrape time (nothing when it does not answer)."""
        from sqlalchemy import func, select

        from treasury.db.models import PipelineRun
        from treasury.db.session import session_scope

        runs = GaugeMetricFamily(
            "treasury_pipeline_runs", "Pipeline runs in the run log, by status.", labels=["status"]
        )
        last = GaugeMetricFamily(
            "treasury_pipeline_last_success_timestamp_seconds",
            "End of the last successful pipeline run (Unix time).",
        )
        try:
            with session_scope() as session:
                counts = session.execute(
                    select(PipelineRun.status, func.count()).group_by(PipelineRun.status)
                ).all()
                finished = session.execute(
                    select(func.max(PipelineRun.finished_at)).where(
                        PipelineRun.status == "succeeded"
                    )
                ).scalar()
        except Exception:  # a scrape must not fail because the database is down
            return
        for status, count in counts:
            runs.add_metric([str(status)], float(count))
        yield runs
        if finished is not None:
            if finished.tzinfo is None:  # SQLite gives the stored UTC time back naive
                finished = finished.replace(tzinfo=dt.UTC)
            last.add_metric([], finished.timestamp())
            yield last


_PIPELINE_COLLECTOR = PipelineRunsCollector()


def exposition() -> bytes:
    """The Prometheus text exposition of this process, or of all workers in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(_PIPELINE_COLLECTOR)
    return generate_latest(registry) + generate_latest(scrape)
