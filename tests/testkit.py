"""Test helpers shared by every product's tests: environment, caches, auth headers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

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


@contextmanager
def platform_env(home: Path) -> Iterator[None]:
    """The environment pointed at the platform ``home`` (its SQLite app database, TEST_ENV),
    settings caches cleared on the way in and out."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(home))
        patch.delenv("TREASURY_DATABASE_URL", raising=False)
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        clear_caches()
        yield
    clear_caches()


def copy_platform(source: Path, home: Path) -> Path:
    """A copy of the platform ``source`` at ``home`` (SQLite app database, lake, snapshot) whose
    snapshot views read the copy's own lake: views naming the original's files would break the
    original's later readers, and the copy's sandbox refuses files outside its home."""
    from treasury.config import Settings
    from treasury.warehouse.backup import _repoint_views
    from treasury.warehouse.serving import current_snapshot

    shutil.copytree(source, home, ignore=shutil.ignore_patterns("prometheus"))
    copy = Settings(home=home, database_url="")
    snapshot = current_snapshot(copy)
    assert snapshot is not None, f"{source} has no serving snapshot"
    for old_lake in {str(source / "lake"), str((source / "lake").resolve())}:
        _repoint_views(copy, snapshot, old_lake)
    return home


def bearer(token: str) -> dict[str, str]:
    """Headers sending ``token``."""
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def served(env: Mapping[str, str], workers: int | None = None) -> Iterator[str]:
    """The real app under uvicorn in a subprocess with ``env``; yields its URL until closed.

    With ``workers``, the real CLI serves it: ``treasury serve --workers <workers>`` (which
    needs a serving snapshot in the home).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if workers is None:
        command = [sys.executable, "-m", "uvicorn", "treasury.web.app:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        command += ["--timeout-graceful-shutdown", "1"]  # open event streams end at once
    else:
        command = [sys.executable, "-m", "treasury.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=dict(env))  # the whole environment, as given
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the web app did not start")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
