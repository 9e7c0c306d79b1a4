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

    from tests.testkit import served

    env = {**os.environ, "TREASURY_HOME": str(tiny_platform)}
    env.pop("TREASURY_DATABASE_URL", None)
    with served(env) as url:
        yield url
