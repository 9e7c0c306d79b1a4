"""Fixtures of the ML tests: the platform's models trained once per session.

``trained_platform``: the session's tiny platform (``platform_home``) with the ``forecasting``
and ``cash_buffer`` models trained into its registry, so the API, the pages and the live server
find them. Other models train in their own tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.testkit import TEST_ENV, clear_caches

from treasury.config import get_settings

CORE_MODELS = ("forecasting", "cash_buffer")


@pytest.fixture(scope="session")
def trained_platform(platform_home: Path) -> Path:
    """The platform home with the core models trained (latest versions)."""
    from treasury.ml import registry

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(platform_home))
        patch.delenv("TREASURY_DATABASE_URL", raising=False)
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        clear_caches()
        settings = get_settings()
        for name in CORE_MODELS:
            if not registry.versions(name, settings):
                registry.train(name, settings, seed=7)
    clear_caches()
    return platform_home


@pytest.fixture
def ml_settings(trained_platform: Path, od_settings):
    """Settings of the platform with the trained core models."""
    return od_settings
