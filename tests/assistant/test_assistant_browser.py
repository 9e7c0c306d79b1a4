"""The /assistant page in a real browser: a FAQ question, then a data question after login."""

from __future__ import annotations

from typing import Any


def test_faq_and_data_questions_in_the_browser(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/assistant")
    page.fill("#chat-input", "syarat ngajuin TUP ke kppn")
    page.click("#chat-send")
    answer = page.locator(".as-bot .as-answer").first
    answer.wait_for(timeout=30_000)
    assert "TUP" in answer.inner_text()
    assert page.locator(".as-bot .as-yes").count() == 1

    page.click(".as-bot .as-no")
    page.wait_for_selector("text=Terima kasih", timeout=10_000)

    page.fill("#chat-input", "resep rendang padang")
    page.click("#chat-send")
    page.wait_for_selector(".as-handover", timeout=30_000)
    page.click(".as-handover")
    page.wait_for_selector("text=diteruskan ke petugas", timeout=10_000)

    page.goto(f"{live_url}/login?next=/assistant")
    page.fill("#name", "analis.pusat")
    page.fill("#password", "analis.pusat-demo-2024")
    page.click("button[type=submit]")
    page.goto(f"{live_url}/assistant")
    page.click("#tab-data")
    page.fill("#chat-input", "5 provinsi dengan realisasi belanja tertinggi 2023")
    page.click("#chat-send")
    table = page.locator(".as-bot .as-table")
    table.wait_for(timeout=30_000)
    assert table.locator("tr").count() == 6  # header + 5 provinces
    text = page.locator(".as-bot .as-answer").last.inner_text()
    assert "Rp" in text and "DKI Jakarta" in text
    page.locator(".as-chart .main-svg").first.wait_for(timeout=30_000)
    page.click("text=Kueri yang dijalankan")
    assert "belanja_satker_bulanan" in page.locator(".as-sql").inner_text()
    assert page.console_errors == []


def test_english_page(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/assistant?lang=en")
    assert page.locator("#tab-data").inner_text() == "Data questions"
    page.fill("#chat-input", "what is SAKTI")
    page.click("#chat-send")
    page.locator(".as-bot .as-answer").first.wait_for(timeout=30_000)
    assert "confidence" in page.locator(".as-bot").first.inner_text()
    assert page.console_errors == []
