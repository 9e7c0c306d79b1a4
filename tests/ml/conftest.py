"""Fixtures of the ML tests: the platform's models trained once per session.

``trained_platform``: the session's tiny platform (``platform_home``) with the ``forecasting``
and ``cash_buffer`` models trained into its registry, so the API, the pages and the live server
find them. Other models train in their own tests through ``trained(name, ...)``. ``analyst``:
API headers of ``analis.pusat``; ``analyst_page``: the browser page signed in as that user.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.testkit import bearer, platform_env

from treasury.config import Settings, get_settings

CORE_MODELS = ("forecasting", "cash_buffer")


def train_once(name: str, settings: Settings) -> None:
    """Model ``name`` in the registry: trained with seed 7 unless it has a version already."""
    from treasury.ml import registry

    if not registry.versions(name, settings):
        registry.train(name, settings, seed=7)


@pytest.fixture(scope="session")
def trained_platform(platform_home: Path) -> Path:
    """The platform home with the core models trained (latest versions)."""
    with platform_env(platform_home):
        settings = get_settings()
        for name in CORE_MODELS:
            train_once(name, settings)
    return platform_home


@pytest.fixture
def ml_settings(trained_platform: Path, od_settings):
    """Settings of the platform with the trained core models."""
    return od_settings


@pytest.fixture
def trained(od_settings: Settings) -> Callable[..., Settings]:
    """``trained(name, ...)``: those models in the platform's registry; returns its settings."""

    def train(*names: str) -> Settings:
        for name in names:
            train_once(name, od_settings)
        return od_settings

    return train


@pytest.fixture
def analyst(tokens: dict[str, str]) -> dict[str, str]:
    """Headers with the API token of the central analyst ``analis.pusat``."""
    return bearer(tokens["analis.pusat"])


@pytest.fixture
def analyst_page(page: Any, live_url: str, od_settings: Settings) -> Any:
    """The browser page with a login session of ``analis.pusat`` on the live server."""
    from treasury.access.http import SESSION_COOKIE, sign_session

    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": sign_session("analis.pusat"), "url": live_url}]
    )
    return page
