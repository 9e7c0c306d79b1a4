"""Fixtures of the dashboards tests: clients signed in as demo users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer


@pytest.fixture
def get_as(api_client: TestClient, tokens: dict[str, str]) -> Callable[..., Any]:
    """``get_as(user, url)``: a GET through the real app with the user's API token."""

    def get(user: str | None, url: str, **kwargs: Any) -> Any:
        headers = bearer(tokens[user]) if user else {}
        return api_client.get(url, headers=headers, follow_redirects=False, **kwargs)

    return get
