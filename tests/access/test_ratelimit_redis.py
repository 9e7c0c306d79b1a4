"""The Redis limiter, against the local Redis (127.0.0.1:6379 or TREASURY_TEST_REDIS_URL).

Two ``RequestLimiter`` objects with their own Redis clients stand in for two worker processes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from treasury.access.http import PrincipalDep
from treasury.access.principal import ANONYMOUS_INTERNET, Principal, Role
from treasury.access.ratelimit import RateResult, RequestLimiter, TokenBucket
from treasury.access.ratelimit_redis import RedisOutage, RedisTokenBucket, redis_request_limiter
from treasury.access.settings import AccessSettings, get_access_settings

redis = pytest.importorskip("redis")

REDIS_URL = os.environ.get("TREASURY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LOGGER = "treasury.access.ratelimit_redis"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield connection
    connection.close()


@pytest.fixture
def namespace(client: Any) -> Iterator[str]:
    name = f"test:{uuid.uuid4().hex}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def closed_port_url() -> str:
    """A Redis URL on a local port where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def shared_settings(namespace: str, url: str = REDIS_URL, **limits: int) -> AccessSettings:
    return AccessSettings(ratelimit_redis_url=url, ratelimit_redis_namespace=namespace, **limits)


def test_redis_bucket_burst_then_retry_after(client: Any, namespace: str) -> None:
    bucket = RedisTokenBucket(client, per_minute=6, burst=3, namespace=namespace)
    assert [bucket.check("k").allowed for _ in range(3)] == [True, True, True]
    allowed, retry_after = bucket.check("k")
    assert not allowed and 9 <= retry_after <= 10
    assert bucket.check("other").allowed
    assert client.pttl(f"{namespace}:k") > 0  # idle buckets expire


def test_redis_buckets_are_shared_between_instances(client: Any, namespace: str) -> None:
    first = RedisTokenBucket(client, per_minute=60, burst=2, namespace=namespace)
    second = RedisTokenBucket(client, per_minute=60, burst=2, namespace=namespace)
    assert first.check("k").allowed and second.check("k").allowed
    assert not first.check("k").allowed


def test_two_workers_share_one_address_budget_exactly(client: Any, namespace: str) -> None:
    settings = shared_settings(namespace, ratelimit_address_per_minute=10)
    workers = [RequestLimiter.from_settings(settings), RequestLimiter.from_settings(settings)]
    assert all(isinstance(w.by_address, RedisTokenBucket) for w in workers)
    results = [workers[i % 2].check(ANONYMOUS_INTERNET, "8.8.8.8") for i in range(10)]
    assert results == [RateResult(True, 0)] * 10  # 5 on each worker, 10 in total
    for worker in workers:
        refused = worker.check(ANONYMOUS_INTERNET, "8.8.8.8")
        assert not refused.allowed and 1 <= refused.retry_after <= 6  # a token every 6 s
    assert workers[1].check(ANONYMOUS_INTERNET, "8.8.4.4").allowed  # another address
    assert client.exists(f"{namespace}:addr:8.8.8.8")


def test_two_workers_share_one_token_budget_under_concurrency(client: Any, namespace: str) -> None:
    settings = shared_settings(namespace, ratelimit_token_per_minute=25)
    workers = [RequestLimiter.from_settings(settings), RequestLimiter.from_settings(settings)]
    with_token = Principal(user="a", role=Role.analyst, token_id=7)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer(worker: RequestLimiter) -> None:
        for _ in range(20):
            ok = worker.check(with_token, "8.8.8.8").allowed
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer, args=(workers[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 120
    # 25 at once, plus at most one refilled while 120 checks ran (a token every 2.4 s)
    assert 25 <= sum(allowed) <= 26


def test_unreachable_redis_falls_back_in_process_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = redis_request_limiter(
        shared_settings("test:closed", url=closed_port_url(), ratelimit_address_per_minute=2)
    )
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        results = [limiter.check(ANONYMOUS_INTERNET, "8.8.8.8") for _ in range(3)]
        token_result = limiter.check(Principal(user="a", role=Role.analyst, token_id=1), None)
    assert [r.allowed for r in results] == [True, True, False]  # the in-process bucket
    assert results[2].retry_after == 30
    assert token_result.allowed
    warnings = [r for r in caplog.records if r.name == LOGGER]
    assert len(warnings) == 1  # one per outage, not one per request or per bucket
    assert "Redis cannot be reached" in warnings[0].getMessage()
    assert isinstance(limiter.by_address, RedisTokenBucket) and limiter.by_address.outage.down


class FlakyClient:
    """A Redis client whose scripts fail while ``down`` is set (Redis stopped, then back)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.down = True

    def register_script(self, source: str) -> Any:
        script = self.real.register_script(source)

        def run(**kwargs: Any) -> Any:
            if self.down:
                raise redis.exceptions.ConnectionError("Connection refused")
            return script(**kwargs)

        return run


def test_redis_is_tried_again_after_the_pause_and_its_return_logged(
    client: Any, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    flaky = FlakyClient(client)
    outage = RedisOutage(retry_seconds=5, clock=lambda: now[0])
    bucket = RedisTokenBucket(
        flaky, per_minute=60, burst=3, namespace=namespace, fallback=TokenBucket(60), outage=outage
    )
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert bucket.check("k").allowed  # Redis refused: in-process
        flaky.down = False
        now[0] = 4.0
        assert bucket.check("k").allowed  # still pausing: in-process, Redis untouched
        assert not client.exists(f"{namespace}:k")
        now[0] = 5.0
        assert [bucket.check("k").allowed for _ in range(4)] == [True, True, True, False]
    assert not outage.down
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(messages) == 2
    assert "cannot be reached" in messages[0] and "answers again" in messages[1]


def test_requests_are_not_failed_when_redis_is_down(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TREASURY_RATELIMIT_REDIS_URL", closed_port_url())
    monkeypatch.setenv("TREASURY_RATELIMIT_ADDRESS_PER_MINUTE", "3")
    get_access_settings.cache_clear()
    app = FastAPI()

    @app.get("/ping")
    def ping(principal: PrincipalDep) -> dict[str, str]:
        return {"zone": principal.zone.value}

    with caplog.at_level(logging.WARNING, logger=LOGGER), TestClient(app) as test_client:
        statuses = [test_client.get("/ping").status_code for _ in range(5)]
        refused = test_client.get("/ping")
    assert statuses == [200, 200, 200, 429, 429]
    assert int(refused.headers["retry-after"]) >= 1
    assert len([r for r in caplog.records if r.name == LOGGER]) == 1
