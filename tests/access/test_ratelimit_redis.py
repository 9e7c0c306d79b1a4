"""The Redis limiter, against the local Redis (127.0.0.1:6379 or TREASURY_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from treasury.access.ratelimit_redis import RedisTokenBucket

redis = pytest.importorskip("redis")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    url = os.environ.get("TREASURY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    yield connection
    connection.close()


@pytest.fixture
def namespace(client: Any) -> Iterator[str]:
    name = f"test:{uuid.uuid4().hex}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


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
