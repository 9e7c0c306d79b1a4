"""Shared fixtures: a throwaway TREASURY_HOME per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treasury.config import get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TREASURY_HOME in a temporary folder, with fresh settings."""
    monkeypatch.setenv("TREASURY_HOME", str(tmp_path))
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
