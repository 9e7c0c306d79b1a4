"""Test helpers shared by every product's tests: environment, caches, auth headers."""

from __future__ import annotations

from treasury.config import get_settings

DEMO_USERS = ("admin", "steward", "analis.pusat", "analis.jatim", "analis.surabaya", "eksternal")
#: Cheap password hashing and no rate limits for tests (a rate-limit test sets its own).
TEST_ENV = {
    "TREASURY_ARGON2_MEMORY_KIB": "8192",
    "TREASURY_ARGON2_TIME_COST": "1",
    "TREASURY_RATELIMIT_ADDRESS_PER_MINUTE": "1000000",
    "TREASURY_RATELIMIT_TOKEN_PER_MINUTE": "1000000",
}


def clear_caches() -> None:
    """Forget cached settings after the environment changed."""
    from treasury.access import get_access_settings
    from treasury.access.http import get_session_settings

    get_settings.cache_clear()
    get_access_settings.cache_clear()  # type: ignore[attr-defined]
    get_session_settings.cache_clear()


def bearer(token: str) -> dict[str, str]:
    """Headers sending ``token``."""
    return {"Authorization": f"Bearer {token}"}
