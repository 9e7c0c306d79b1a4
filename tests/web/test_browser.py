"""The portal in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations


def test_home_in_the_browser_switches_language(live_server: str, page) -> None:
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Data keuangan negara untuk keputusan yang lebih baik"
    assert "Rp 3.121,2 T" in page.locator("table.data").inner_text()
    page.click("text=English")
    assert page.locator("h1").inner_text() == "State finance data for better decisions"
    page.goto(live_server + "/")  # the choice sticks (cookie)
    assert page.locator("h1").inner_text() == "State finance data for better decisions"
    assert page.console_errors == []
