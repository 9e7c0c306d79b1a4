"""Shared fixtures.

``home``: a throwaway TREASURY_HOME per test. ``platform_home``: one tiny platform per session
(tiny sources, seed 5, a full pipeline run, the demo users of
:func:`treasury.access.seed_demo_users`) with ``tokens``, ``api_client``, ``live_url``;
``browser`` and ``page``: Debian's Chromium driven by Playwright, screenshots in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from tests.production.pgtools import (
    PLATFORM_DATABASES,
    app_database_url,
    create_database,
    database_env,
    drop_database,
    mirror,
    server_url,
)
from tests.testkit import DEMO_USERS, TEST_ENV, clear_caches, served

from treasury.access import Principal, Zone
from treasury.config import Settings, get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TREASURY_HOME in a temporary folder, with fresh settings."""
    monkeypatch.setenv("TREASURY_HOME", str(tmp_path))
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def platform_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A TREASURY_HOME with tiny data through the pipeline, the demo users and their tokens.

    With ``TREASURY_TEST_DATABASE_URL`` set (CI), its app database is a fresh PostgreSQL
    database ``tbd_test_<random>`` on that server (migrated here, dropped at the end);
    otherwise SQLite in the home.
    """
    from treasury.access import seed_demo_users
    from treasury.db import migrate
    from treasury.db.session import session_scope
    from treasury.sources.generate import generate
    from treasury.warehouse.pipeline import run_pipeline

    home = tmp_path_factory.mktemp("opendata-api-platform")
    server = server_url()
    if server:
        PLATFORM_DATABASES[str(home)] = create_database(server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(home))
        patch.delenv("TREASURY_DATABASE_URL", raising=False)
        for key, value in database_env(home).items():
            patch.setenv(key, value)
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        clear_caches()
        settings = get_settings()
        generate(settings.landing, scale="tiny", seed=5, as_of=dt.date(2026, 11, 23))
        assert run_pipeline(settings).status == "succeeded"
        migrate(settings.app_database_url)
        with session_scope(settings.app_database_url) as session:
            seed_demo_users(session)
        if server:  # tests that unset TREASURY_DATABASE_URL find the users in SQLite too
            sqlite = Settings(home=home, database_url="").app_database_url
            migrate(sqlite)
            mirror(settings.app_database_url, sqlite)
    clear_caches()
    yield home
    if str(home) in PLATFORM_DATABASES:
        drop_database(PLATFORM_DATABASES.pop(str(home)))


@pytest.fixture(scope="session")
def tokens(platform_home: Path) -> dict[str, str]:
    """An API token per demo user."""
    from treasury.access import create_token
    from treasury.db.session import session_scope

    url = app_database_url(platform_home)
    out = {}
    with session_scope(url) as session:
        for name in DEMO_USERS:
            out[name], _ = create_token(session, name, days=None)
    sqlite = Settings(home=platform_home, database_url="").app_database_url
    if url != sqlite:  # on PostgreSQL: the tokens work on the SQLite mirror too
        mirror(url, sqlite, ["api_tokens"])
    return out


@pytest.fixture
def od_home(platform_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The environment pointing at the session's platform (settings caches cleared)."""
    monkeypatch.setenv("TREASURY_HOME", str(platform_home))
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    for key, value in {**TEST_ENV, **database_env(platform_home)}.items():
        monkeypatch.setenv(key, value)
    clear_caches()
    yield platform_home
    clear_caches()


@pytest.fixture
def od_settings(od_home: Path) -> Settings:
    """The platform's settings."""
    return get_settings()


@pytest.fixture
def principals(od_settings: Settings) -> dict[str, Principal]:
    """The demo users as principals from the internet zone."""
    from treasury.access import get_user, principal_for_user
    from treasury.db.session import session_scope

    with session_scope(od_settings.app_database_url) as session:
        return {
            name: principal_for_user(get_user(session, name), Zone.internet)  # type: ignore[arg-type]
            for name in DEMO_USERS
        }


@pytest.fixture
def snapshot(od_settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A direct read-only connection to the serving snapshot (the test's own truth)."""
    from treasury.warehouse.serving import open_snapshot

    con = open_snapshot(od_settings)
    yield con
    con.close()


@pytest.fixture
def api_client(od_home: Path) -> Iterator[TestClient]:
    """A test client of the real app over the platform."""
    from treasury.web.app import create_app

    with TestClient(create_app()) as client:
        yield client


@pytest.fixture(scope="session")
def live_url(platform_home: Path) -> Iterator[str]:
    """The real app under uvicorn in a subprocess over the platform; yields its URL."""
    env = {**os.environ, **TEST_ENV, "TREASURY_HOME": str(platform_home)}
    env.pop("TREASURY_DATABASE_URL", None)
    env.update(database_env(platform_home))
    with served(env) as url:
        yield url


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


ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


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
