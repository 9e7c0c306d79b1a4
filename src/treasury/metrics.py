"""Prometheus instruments shared by every layer (the web app exposes them at ``/metrics``).

This module imports nothing from ``treasury`` so that any layer may update an instrument: the
export path counts rows, the streaming consumer sets the queue lag, the web middleware counts
requests. With several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (``treasury serve
--workers N`` does it) before this module is imported: each process writes its samples to that
folder and ``/metrics`` aggregates them (:func:`treasury.web.metrics.exposition`).

| instrument | type | labels | what |
|---|---|---|---|
| ``treasury_http_requests_total`` | counter | method, route, status | requests by route template |
| ``treasury_http_request_seconds`` | histogram | method, route | seconds until the response is sent |
| ``treasury_rows_exported_total`` | counter | format | rows written into export files |
| ``treasury_queue_lag_seconds`` | gauge | stream | age of the oldest event not yet committed |
| ``treasury_pipeline_runs`` | gauge | status | runs in the run log (read at scrape time) |
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # no ``*_created`` series: they double the output for no use

REQUESTS = Counter(
    "treasury_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "treasury_http_request_seconds",
    "Seconds from a request's arrival until its response is sent in full, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ROWS_EXPORTED = Counter(
    "treasury_rows_exported",
    "Rows written into export files (csv, json, ndjson, parquet, xlsx).",
    ["format"],
)
#: Set by the streaming consumer: seconds between now and the oldest event it has not committed
#: to the lake yet (0 when caught up), e.g. ``QUEUE_LAG.labels(stream="sp2d").set(3.2)``.
QUEUE_LAG = Gauge(
    "treasury_queue_lag_seconds",
    "Age in seconds of the oldest streamed event not yet committed to the lake.",
    ["stream"],
    multiprocess_mode="mostrecent",
)


class _Batch(Protocol):
    @property
    def num_rows(self) -> int: ...


B = TypeVar("B", bound=_Batch)


def count_exported(batches: Iterable[B], fmt: str) -> Iterator[B]:
    """Pass ``batches`` through, counting their rows in :data:`ROWS_EXPORTED` under ``fmt``."""
    counter = ROWS_EXPORTED.labels(format=fmt)
    try:
        for batch in batches:
            counter.inc(batch.num_rows)
            yield batch
    finally:  # an export cut short closes the source too (the reader audits on close)
        close = getattr(batches, "close", None)
        if close is not None:
            close()
