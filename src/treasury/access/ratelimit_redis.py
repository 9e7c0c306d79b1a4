"""A token-bucket limiter in Redis, shared by every worker process and every host.

Same contract as :class:`treasury.access.ratelimit.TokenBucket`; the bucket update runs as one
Lua script, so concurrent workers never double-spend, and uses the Redis server's clock.

Redis is a helper, not a gate: when it cannot be reached (down, refused, timing out), a
:class:`RedisTokenBucket` given a ``fallback`` limits with that in-process bucket instead of
failing the request, logs one warning for the outage (not one per request), tries Redis again
after ``retry_seconds`` and logs when it is back. During an outage each worker counts on its own,
as it does without Redis.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from treasury.access.ratelimit import RateLimiter, RateResult, RequestLimiter, TokenBucket
from treasury.access.settings import AccessSettings

log = logging.getLogger(__name__)

#: Seconds to wait for Redis to connect or answer before limiting in-process.
REDIS_TIMEOUT_SECONDS = 0.5
#: Seconds between attempts to reach Redis again after it failed.
RETRY_SECONDS = 5.0

# KEYS[1] bucket key; ARGV: capacity, rate per second, cost. Returns {allowed, wait_ms}.
_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local allowed = 0
local wait_ms = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait_ms = math.ceil((cost - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {allowed, wait_ms}
"""


class RedisOutage:
    """Whether Redis is taken as unreachable, shared by the buckets of one client.

    The first failure logs one warning and starts a pause of ``retry_seconds`` during which
    nobody tries Redis; the first success after it logs that Redis is back.
    """

    def __init__(
        self, retry_seconds: float = RETRY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._down_until: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        """Whether the last attempt to reach Redis failed."""
        return self._down_until is not None

    def pausing(self) -> bool:
        """Whether Redis failed less than ``retry_seconds`` ago (do not try it now)."""
        down_until = self._down_until
        return down_until is not None and self._clock() < down_until

    def failed(self, exc: Exception) -> None:
        """Record a failure; the first of an outage logs a warning."""
        with self._lock:
            first = self._down_until is None
            self._down_until = self._clock() + self.retry_seconds
        if first:
            log.warning(
                "rate limits: Redis cannot be reached (%s: %s); limiting in-process per worker "
                "until it answers again (next try in %.0f s)",
                type(exc).__name__,
                exc,
                self.retry_seconds,
            )

    def answered(self) -> None:
        """Record a success; the first after an outage logs that Redis is back."""
        if self._down_until is None:
            return
        with self._lock:
            was_down, self._down_until = self._down_until is not None, None
        if was_down:
            log.warning("rate limits: Redis answers again; limits are shared by all workers")


class RedisTokenBucket:
    """Token buckets kept in Redis under ``<namespace>:<key>``.

    Parameters
    ----------
    client
        A ``redis.Redis`` client (``redis.Redis.from_url("redis://127.0.0.1:6379/0")``).
    per_minute, burst
        Refill rate and bucket size, as for ``TokenBucket``.
    namespace
        Key prefix, so several limiters (or test runs) can share one Redis.
    fallback
        The limiter used while Redis cannot be reached (usually an in-process ``TokenBucket``
        of the same size). Without one, Redis errors reach the caller.
    outage
        The outage state to share with the other buckets of ``client`` (one warning per
        outage for all of them); a new one when not given.
    """

    def __init__(
        self,
        client: Any,
        per_minute: float,
        burst: float | None = None,
        namespace: str = "treasury:ratelimit",
        fallback: RateLimiter | None = None,
        outage: RedisOutage | None = None,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else per_minute)
        self.namespace = namespace
        self.fallback = fallback
        self.outage = outage or RedisOutage()
        self._script = client.register_script(_SCRIPT)

    def check(self, key: str, cost: float = 1.0) -> RateResult:
        """Take ``cost`` tokens from ``key``'s bucket if it has them (in Redis when it answers)."""
        if self.fallback is None:
            return self._check_redis(key, cost)
        if self.outage.pausing():
            return self.fallback.check(key, cost)
        try:
            result = self._check_redis(key, cost)
        except (RedisError, OSError) as exc:
            self.outage.failed(exc)
            return self.fallback.check(key, cost)
        self.outage.answered()
        return result

    def _check_redis(self, key: str, cost: float) -> RateResult:
        allowed, wait_ms = self._script(
            keys=[f"{self.namespace}:{key}"], args=[self.capacity, self.rate, cost]
        )
        if int(allowed):
            return RateResult(True, 0)
        return RateResult(False, max(1, math.ceil(int(wait_ms) / 1000)))


def redis_request_limiter(settings: AccessSettings) -> RequestLimiter:
    """A :class:`RequestLimiter` whose buckets live in Redis at ``settings.ratelimit_redis_url``.

    Each Redis bucket falls back to an in-process bucket of the same size while Redis cannot be
    reached, so an outage of Redis never fails a request. Nothing connects until the first check.
    """
    client = Redis.from_url(
        settings.ratelimit_redis_url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    namespace = settings.ratelimit_redis_namespace
    outage = RedisOutage()

    def bucket(per_minute: int) -> RedisTokenBucket:
        return RedisTokenBucket(
            client, per_minute, namespace=namespace, fallback=TokenBucket(per_minute), outage=outage
        )

    return RequestLimiter(
        bucket(settings.ratelimit_token_per_minute), bucket(settings.ratelimit_address_per_minute)
    )
