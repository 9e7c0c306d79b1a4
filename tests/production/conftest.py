"""Fixtures of the production suite: a private copy of the platform and a multi-worker server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.production.pgtools import PLATFORM_DATABASES, database_env
from tests.testkit import TEST_ENV

SERVE = (sys.executable, "-m", "treasury.cli", "serve")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, seconds: float = 60) -> None:
    """Wait until ``url``/healthz answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not start")


@pytest.fixture(scope="module")
def private_home(
    platform_home: Path, tokens: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the session platform (users and tokens included) that a test may change."""
    del tokens  # created in the platform's database before the copy
    home = tmp_path_factory.mktemp("production-home") / "home"
    shutil.copytree(platform_home, home, ignore=shutil.ignore_patterns("prometheus"))
    if str(platform_home) in PLATFORM_DATABASES:  # on PostgreSQL: the copy shares the database
        PLATFORM_DATABASES[str(home)] = PLATFORM_DATABASES[str(platform_home)]
    return home


def serve(home: Path, workers: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``treasury serve --workers N`` over ``home``; the caller stops it."""
    port = free_port()
    env = {**os.environ, **TEST_ENV, "TREASURY_HOME": str(home), **(extra_env or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if "TREASURY_DATABASE_URL" not in (extra_env or {}):
        env.pop("TREASURY_DATABASE_URL", None)
        env.update(database_env(home))
    log = home.parent / f"serve-{port}.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*SERVE, "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    server.log = log  # type: ignore[attr-defined]
    return server


def stop(server: subprocess.Popen) -> str:
    """Stop a server started by :func:`serve`; its output."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    return server_log(server)


def server_log(server: subprocess.Popen) -> str:
    """What a server started by :func:`serve` has written so far."""
    log: Path = server.log  # type: ignore[attr-defined]
    return log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def workers_server(private_home: Path) -> Iterator[subprocess.Popen]:
    """``treasury serve --workers 2`` over the private home (``.url``, ``.log``)."""
    server = serve(private_home, workers=2)
    try:
        wait_ready(server.url)  # type: ignore[attr-defined]
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="module")
def workers_url(workers_server: subprocess.Popen) -> str:
    """The URL of :func:`workers_server`."""
    return str(workers_server.url)  # type: ignore[attr-defined]
