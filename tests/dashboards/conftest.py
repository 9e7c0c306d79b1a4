"""Fixtures of the dashboards tests: clients signed in as demo users."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer


class GetAs:
    """GETs through the real app with a demo user's API token (``None``: anonymous)."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def __call__(self, user: str | None, url: str, **kwargs: Any) -> Any:
        headers = bearer(self.tokens[user]) if user else {}
        return self.client.get(url, headers=headers, follow_redirects=False, **kwargs)

    def figure(self, user: str, board: str, figure: str, query: str = "") -> dict[str, Any]:
        """A figure from the API (``columns``, ``rows``, ``note``, ``plot``); a 200 is required."""
        r = self(user, f"/api/v1/dashboards/{board}/figures/{figure}{query}")
        assert r.status_code == 200, r.text
        return r.json()["data"]

    def kpis(self, user: str, board: str, query: str = "") -> dict[str, dict[str, Any]]:
        """A board's headline numbers by id, from its API summary; a 200 is required."""
        r = self(user, f"/api/v1/dashboards/{board}{query}")
        assert r.status_code == 200, r.text
        return {k["id"]: k for k in r.json()["data"]["kpis"]}


@pytest.fixture
def get_as(api_client: TestClient, tokens: dict[str, str]) -> GetAs:
    """``get_as(user, url)``: a GET through the real app with the user's API token; also
    ``get_as.figure(user, board, figure, query)`` and ``get_as.kpis(user, board, query)``."""
    return GetAs(api_client, tokens)
