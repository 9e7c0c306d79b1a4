"""``treasury serve --workers 2`` with the rate limits in Redis: one budget for both workers."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict
from tests.production.pgtools import database_env
from tests.testkit import TEST_ENV, served

redis = pytest.importorskip("redis")

REDIS_URL = os.environ.get("TREASURY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LIMIT = 4  # a token every 15 s: the requests below take far less
ROUTE = "/api/v1/datasets/{slug}"
PATH = "/api/v1/datasets/bps-gini-rasio"


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"test:serve:{uuid.uuid4().hex}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)
    client.close()


def answers_by_worker(metrics: Path, route: str) -> dict[int, Counter[str]]:
    """Status codes of ``route`` per worker pid, from the workers' Prometheus sample files."""
    out: dict[int, Counter[str]] = {}
    for path in metrics.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for entry in MmapedDict.read_all_values_from_file(str(path)):
            key: Any = json.loads(entry[0])
            labels, value = key[2], entry[1]
            if key[1] == "treasury_http_requests_total" and labels.get("route") == route:
                out.setdefault(pid, Counter())[labels["status"]] += int(value)
    return out


def counted(metrics: Path, sent: int) -> dict[int, Counter[str]]:
    """:func:`answers_by_worker` once every answer sent is counted: a worker counts a request
    just after its response is sent, so the client can read the files a moment before."""
    deadline = time.monotonic() + 10
    while True:
        out = answers_by_worker(metrics, ROUTE)
        if sum(sum(c.values()) for c in out.values()) >= sent or time.monotonic() > deadline:
            return out
        time.sleep(0.05)


def test_two_workers_spend_one_budget(
    platform_home: Path, redis_namespace: str, tmp_path: Path
) -> None:
    env = {**os.environ, **TEST_ENV, "TREASURY_HOME": str(platform_home)}
    env.pop("TREASURY_DATABASE_URL", None)
    env.update(database_env(platform_home))
    env.update(
        {
            "TREASURY_RATELIMIT_REDIS_URL": REDIS_URL,
            "TREASURY_RATELIMIT_REDIS_NAMESPACE": redis_namespace,
            "TREASURY_RATELIMIT_ADDRESS_PER_MINUTE": str(LIMIT),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        }
    )
    with served(env, workers=2) as url:

        def get(_: int) -> httpx.Response:
            return httpx.get(url + PATH, timeout=30)  # a new connection each time

        with ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(get, range(LIMIT + 5)))
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: LIMIT, 429: 5}, statuses
        assert all(int(r.headers["retry-after"]) >= 1 for r in responses if r.status_code == 429)
        sent = len(responses)
        # until both workers have answered: each refuses, the budget is spent for both
        for _ in range(40):
            if len(counted(tmp_path, sent)) == 2:
                break
            with ThreadPoolExecutor(4) as pool:
                more = list(pool.map(get, range(4)))
            sent += len(more)
            assert {r.status_code for r in more} == {429}
        by_worker = counted(tmp_path, sent)
    assert len(by_worker) == 2, by_worker
    assert sum(c["200"] for c in by_worker.values()) == LIMIT
