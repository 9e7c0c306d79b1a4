from __future__ import annotations

import threading

from treasury.access.principal import ANONYMOUS_INTERNET, Principal, Role
from treasury.access.ratelimit import RequestLimiter, TokenBucket
from treasury.access.settings import AccessSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_gives_retry_after() -> None:
    clock = Clock()
    bucket = TokenBucket(per_minute=6, clock=clock)  # one token per 10 s, burst 6
    assert all(bucket.check("k").allowed for _ in range(6))
    allowed, retry_after = bucket.check("k")
    assert (allowed, retry_after) == (False, 10)
    clock.now += 4
    assert bucket.check("k") == (False, 6)
    clock.now += 6
    assert bucket.check("k") == (True, 0)
    assert bucket.check("other").allowed  # keys are independent


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    clock = Clock()
    bucket = TokenBucket(per_minute=600, burst=1, clock=clock)
    assert bucket.check("k").allowed
    assert bucket.check("k") == (False, 1)


def test_idle_full_buckets_are_forgotten() -> None:
    clock = Clock()
    bucket = TokenBucket(per_minute=60, clock=clock, max_keys=10)
    for i in range(10):
        bucket.check(f"k{i}")
    clock.now += 120
    bucket.check("new")
    assert len(bucket._buckets) == 1


def test_thread_safe_exact_count() -> None:
    bucket = TokenBucket(per_minute=1, burst=100, clock=Clock())
    results: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            ok = bucket.check("shared").allowed
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 100


def test_request_limiter_keys_by_token_else_address() -> None:
    limiter = RequestLimiter.in_process(
        AccessSettings(ratelimit_token_per_minute=2, ratelimit_address_per_minute=1)
    )
    assert limiter.check(ANONYMOUS_INTERNET, "8.8.8.8").allowed
    refused = limiter.check(ANONYMOUS_INTERNET, "8.8.8.8")
    assert not refused.allowed and refused.retry_after == 60
    assert limiter.check(ANONYMOUS_INTERNET, "8.8.4.4").allowed
    with_token = Principal(user="a", role=Role.analyst, token_id=7)
    assert limiter.check(with_token, "8.8.8.8").allowed  # the token has its own bucket
    assert limiter.check(with_token, "8.8.8.8").allowed
    assert not limiter.check(with_token, "1.1.1.1").allowed
