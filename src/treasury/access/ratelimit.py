"""Rate limits: a token bucket per key (an API token or a client address).

The web layer calls :meth:`RequestLimiter.check` per request and answers 429 with
``Retry-After: <retry_after>`` when refused. :class:`TokenBucket` is the in-process limiter (one
per worker process, so ``--workers 4`` allows four times the limit); with
``TREASURY_RATELIMIT_REDIS_URL`` set, :meth:`RequestLimiter.from_settings` keeps the buckets in
Redis instead (:mod:`treasury.access.ratelimit_redis`), one budget for every worker and host.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import NamedTuple, Protocol

from treasury.access.principal import Principal
from treasury.access.settings import AccessSettings, get_access_settings


class RateResult(NamedTuple):
    """Outcome of a rate check; unpacks as ``allowed, retry_after``."""

    allowed: bool
    retry_after: int
    """Whole seconds to wait before the request would be allowed (0 when allowed)."""


class RateLimiter(Protocol):
    """Anything that can say whether one more request under ``key`` may go now."""

    def check(self, key: str, cost: float = 1.0) -> RateResult:
        """Take ``cost`` from the key's allowance, or say how long to wait."""
        ...


class TokenBucket:
    """Thread-safe in-process token buckets, one per key.

    Each key's bucket holds up to ``burst`` tokens (default: one minute's worth) and refills at
    ``per_minute / 60`` tokens a second; a request takes one.

    Examples
    --------
    >>> now = [0.0]
    >>> bucket = TokenBucket(per_minute=60, burst=2, clock=lambda: now[0])
    >>> [tuple(bucket.check("a")) for _ in range(3)]
    [(True, 0), (True, 0), (False, 1)]
    >>> now[0] += 1.0
    >>> tuple(bucket.check("a"))
    (True, 0)
    """

    def __init__(
        self,
        per_minute: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else per_minute)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated_at)
        self._lock = threading.Lock()

    def check(self, key: str, cost: float = 1.0) -> RateResult:
        """Take ``cost`` tokens from ``key``'s bucket if it has them."""
        with self._lock:
            now = self._clock()
            tokens, updated = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - updated) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                allowed, wait = True, 0
            else:
                self._buckets[key] = (tokens, now)
                allowed, wait = False, max(1, math.ceil((cost - tokens) / self.rate))
            if len(self._buckets) > self._max_keys:
                self._forget_full(now)
            return RateResult(allowed, wait)

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled completely is the same as no bucket: drop it.
        full = [
            key
            for key, (tokens, updated) in self._buckets.items()
            if tokens + (now - updated) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]


class RequestLimiter:
    """Per-request limits: by API token when the request has one, else by client address."""

    def __init__(self, by_token: RateLimiter, by_address: RateLimiter) -> None:
        self.by_token = by_token
        self.by_address = by_address

    @classmethod
    def in_process(cls, settings: AccessSettings | None = None) -> RequestLimiter:
        """In-process buckets sized from ``ratelimit_*_per_minute``."""
        s = settings or get_access_settings()
        return cls(
            TokenBucket(s.ratelimit_token_per_minute), TokenBucket(s.ratelimit_address_per_minute)
        )

    @classmethod
    def from_settings(cls, settings: AccessSettings | None = None) -> RequestLimiter:
        """Buckets in Redis when ``ratelimit_redis_url`` is set (shared by all workers), else
        in-process ones (each worker counts on its own).

        The Redis buckets fall back to in-process ones while Redis cannot be reached, so a Redis
        outage never fails a request (see :mod:`treasury.access.ratelimit_redis`).
        """
        s = settings or get_access_settings()
        if not s.ratelimit_redis_url:
            return cls.in_process(s)
        from treasury.access.ratelimit_redis import redis_request_limiter

        return redis_request_limiter(s)

    def check(self, principal: Principal, address: str | None) -> RateResult:
        """Check the request's token bucket, or its address bucket when it has no token.

        Parameters
        ----------
        principal
            Who asks; ``token_id`` selects the token bucket.
        address
            The client address (from :func:`treasury.access.zones.client_address`).
        """
        if principal.token_id is not None:
            return self.by_token.check(f"token:{principal.token_id}")
        return self.by_address.check(f"addr:{address or 'unknown'}")
