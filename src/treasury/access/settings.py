"""Access settings read from the environment (``TREASURY_*``) until they join ``config.Settings``.

Every field here is meant to move into :class:`treasury.config.Settings` unchanged (same name,
type and default); until then :func:`get_access_settings` reads them with the same env prefix.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Parse a comma-separated list of CIDR ranges or single addresses.

    Raises
    ------
    ValueError
        When an entry is not an address or a network.

    Examples
    --------
    >>> parse_networks("10.0.0.0/8, 192.168.1.7")
    (IPv4Network('10.0.0.0/8'), IPv4Network('192.168.1.7/32'))
    >>> parse_networks("")
    ()
    """
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


class AccessSettings(BaseSettings):
    """Settings of the access layer; each field is ``TREASURY_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="TREASURY_", extra="ignore")

    intranet_ranges: str = Field(
        default="",
        description=(
            "Comma-separated CIDR ranges whose clients are in the intranet zone. Empty (the "
            "default) means no client is: behind a reverse proxy or in a container every peer "
            "looks private or loopback, so a default of private ranges would make the whole "
            "internet 'intranet'. Example: 10.0.0.0/8,172.16.0.0/12."
        ),
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or ranges of reverse proxies whose X-Forwarded-For header "
            "is believed. Empty (the default) means the header is ignored."
        ),
    )
    token_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Server secret for HMAC-SHA256 of API tokens. Empty means plain SHA-256 (tokens "
            "carry 256 random bits, so that is still safe); tokens keep the scheme they were "
            "created with."
        ),
    )
    ratelimit_token_per_minute: int = Field(
        default=600, ge=1, description="Requests per minute allowed for one API token (bursts too)."
    )
    ratelimit_address_per_minute: int = Field(
        default=120,
        ge=1,
        description="Requests per minute allowed for one client address without a token.",
    )
    ratelimit_redis_url: str = Field(
        default="",
        description=(
            "Redis URL (redis://host:6379/0) holding the rate-limit buckets, so every worker and "
            "every host behind the load balancer counts against one budget. Empty (the default) "
            "means in-process buckets: each worker process counts on its own. When Redis cannot "
            "be reached, requests are limited by the in-process buckets and a warning is logged."
        ),
    )
    ratelimit_redis_namespace: str = Field(
        default="treasury:ratelimit",
        min_length=1,
        description=(
            "Prefix of the rate-limit keys in Redis, so several deployments can share one Redis."
        ),
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins for a name or address before refusing."
    )
    login_window_seconds: int = Field(
        default=900, ge=1, description="Window in which failed logins are counted (15 minutes)."
    )
    argon2_time_cost: int = Field(default=3, ge=1, description="Argon2id iterations.")
    argon2_memory_kib: int = Field(
        default=65536, ge=8, description="Argon2id memory in KiB (64 MiB, RFC 9106 second choice)."
    )
    argon2_parallelism: int = Field(default=4, ge=1, description="Argon2id lanes.")

    @field_validator("intranet_ranges", "trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("ratelimit_redis_url")
    @classmethod
    def _valid_redis_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"{value!r} is not a Redis URL: write redis://host:6379/0 (or rediss://, unix://)"
            )
        return value

    @property
    def intranet_networks(self) -> tuple[Network, ...]:
        """The intranet ranges, parsed."""
        return parse_networks(self.intranet_ranges)

    @property
    def proxy_networks(self) -> tuple[Network, ...]:
        """The trusted proxy ranges, parsed."""
        return parse_networks(self.trusted_proxies)


@lru_cache
def get_access_settings() -> AccessSettings:
    """The process-wide access settings (cached; tests call ``cache_clear()`` after env changes)."""
    return AccessSettings()
