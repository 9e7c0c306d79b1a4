"""The watch list, the fraud review list and the KPPN work queue in Debian's Chromium."""

from __future__ import annotations

from typing import Any

import pytest

PAGES = {
    "soe": ("#watch tbody tr", 20),
    "fraud": ("#review tbody tr", 100),
    "priority": ("#queue tbody tr", 5),
}


@pytest.fixture
def signed_in(analyst_page: Any, trained: Any) -> Any:
    """A login session of ``analis.pusat`` with the three models trained on the platform."""
    trained(*PAGES)
    return analyst_page


@pytest.mark.parametrize("name", list(PAGES))
def test_risk_list_pages_render(signed_in: Any, live_url: str, name: str) -> None:
    page = signed_in
    rows, least = PAGES[name]
    page.goto(f"{live_url}/ml/{name}?jam=16:00" if name == "priority" else f"{live_url}/ml/{name}")
    assert page.locator(rows).count() >= least
    assert page.locator("#beats").inner_text() == "mengalahkan baseline"
    page.goto(f"{live_url}/ml/{name}?lang=en" + ("&jam=16:00" if name == "priority" else ""))
    assert page.locator("#beats").inner_text() == "beats baseline"
    assert page.console_errors == []
