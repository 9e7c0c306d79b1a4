"""The distress form in Debian's Chromium: load a kab/kota, edit, bad input, result, charts."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def signed_in(analyst_page: Any, trained: Any) -> Any:
    """A login session of ``analis.pusat`` with the distress model trained on the platform."""
    trained("distress")
    return analyst_page


def test_distress_form_round_trip(signed_in: Any, live_url: str) -> None:
    page = signed_in
    page.goto(live_url + "/ml/distress")
    assert page.input_value("#f-pajak_daerah") == "3648730000000"  # Kota Surabaya, the real example
    page.select_option("#kode-pemda", "3301")
    page.click("#load")
    page.wait_for_url("**kode_pemda=3301**")
    assert "Kabupaten Cilacap" in page.inner_text("h2")
    assert int(page.input_value("#f-dana_desa")) > 0  # a kabupaten has Dana Desa
    page.fill("#f-dau", "-10")
    page.click("#calculate")
    page.wait_for_selector('[data-field="dau"]')
    assert "negatif" in page.inner_text('[data-field="dau"]')
    page.fill("#f-dau", "900000000000")
    page.fill("#f-pokok_dan_bunga", "600000000000")
    page.click("#calculate")
    page.wait_for_selector("#probability")
    assert page.locator("[data-field]").count() == 0
    assert "%" in page.inner_text("#probability") and page.locator("#reasons li").count() >= 1
    drawn = page.evaluate(
        "['explanation', 'reliability'].map(id => (document.getElementById(id).data || []).length)"
    )
    assert drawn[0] == 1 and drawn[1] == 3
    assert page.console_errors == []
