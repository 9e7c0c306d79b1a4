"""A tiny platform built once per session: generated sources, pipeline run, snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from treasury.config import get_settings


@pytest.fixture(scope="session")
def tiny_platform(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TREASURY_HOME with tiny-scale data through the whole pipeline."""
    from treasury.sources.generate import generate
    from treasury.warehouse.pipeline import run_pipeline

    home = tmp_path_factory.mktemp("tiny-platform")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(home))
        patch.delenv("TREASURY_DATABASE_URL", raising=False)
        get_settings.cache_clear()
        settings = get_settings()
        generate(settings.landing, scale="tiny", seed=5, as_of=dt.date(2026, 11, 23))
        result = run_pipeline(settings)
        assert result.status == "succeeded"
    get_settings.cache_clear()
    return home


@pytest.fixture
def tiny_home(tiny_platform: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TREASURY_HOME pointing at the session's tiny platform."""
    monkeypatch.setenv("TREASURY_HOME", str(tiny_platform))
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tiny_platform
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def live_server(tiny_platform: Path) -> Iterator[str]:
    """The real app served by uvicorn in a subprocess over the tiny platform; yields its URL."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TREASURY_HOME": str(tiny_platform)}
    env.pop("TREASURY_DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "treasury.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
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
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (no browser download)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail(
            "Debian's chromium is not installed: .ci/run installs it (apt-get install chromium)"
        )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh page that records console errors and leaves a screenshot as a test artifact."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
