"""A token-bucket limiter in Redis, shared by every worker process (optional ``redis`` package).

Same contract as :class:`treasury.access.ratelimit.TokenBucket`; the bucket update runs as one
Lua script, so concurrent workers never double-spend, and uses the Redis server's clock.
"""

from __future__ import annotations

import math
from typing import Any

from treasury.access.ratelimit import RateResult

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
    """

    def __init__(
        self,
        client: Any,
        per_minute: float,
        burst: float | None = None,
        namespace: str = "treasury:ratelimit",
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else per_minute)
        self.namespace = namespace
        self._script = client.register_script(_SCRIPT)

    def check(self, key: str, cost: float = 1.0) -> RateResult:
        """Take ``cost`` tokens from ``key``'s bucket if it has them."""
        allowed, wait_ms = self._script(
            keys=[f"{self.namespace}:{key}"], args=[self.capacity, self.rate, cost]
        )
        if int(allowed):
            return RateResult(True, 0)
        return RateResult(False, max(1, math.ceil(int(wait_ms) / 1000)))
