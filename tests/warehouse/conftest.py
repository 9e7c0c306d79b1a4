"""Fixtures of the warehouse tests: a home with a hand-made landing zone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treasury.config import Settings, get_settings

from .landing import AS_OF, write_landing


@pytest.fixture
def settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings of a fresh home with the as-of date of the hand-made data."""
    monkeypatch.setenv("TREASURY_AS_OF", AS_OF.isoformat())
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def landed(settings: Settings) -> Settings:
    """Settings whose landing zone holds the hand-made extracts."""
    write_landing(settings.landing)
    return settings
