"""The /assistant/dokumen page in Chromium: log in, upload a scan, see the fields and checks."""

from __future__ import annotations

from pathlib import Path

from treasury.assistant.ocr.render import make_records, render


def test_upload_in_browser(live_url: str, page, tmp_path: Path) -> None:
    record = next(r for r in make_records(10, seed=41) if r.kind == "spm")
    scan = tmp_path / "spm.jpg"
    scan.write_bytes(render(record, fmt="jpeg", noise_seed=4))
    page.goto(f"{live_url}/assistant/dokumen")
    assert "/login" in page.url  # internal users only
    page.fill("#name", "analis.pusat")
    page.fill("#password", "analis.pusat-demo-2024")
    page.click("form.od-form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_url}/assistant/dokumen?lang=id")
    assert page.locator("h1").inner_text() == "Pembacaan Dokumen"
    page.set_input_files("#ocr-file", str(scan))
    page.click("#ocr-submit")
    page.wait_for_selector("#ocr-result", timeout=60_000)
    assert page.locator("#ocr-result").get_attribute("data-status") == "ok"
    row = page.locator('tr[data-field="nomor_dokumen"]')
    assert record.nomor in row.inner_text()
    assert "sah" in page.locator('tr[data-field="nilai"]').inner_text()
    assert page.locator("#ocr-fields tbody tr").count() >= 7
    assert page.console_errors == []
