"""The ALCO dashboard: numbers per scenario, downloads, access; pages in the browser."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer

from treasury.access import Principal
from treasury.config import Settings
from treasury.ml.alco import build_report
from treasury.warehouse.reader import Reader


@pytest.fixture
def client(trained_platform: Path, api_client: TestClient) -> TestClient:
    return api_client


def test_report_baseline_vs_adverse(
    ml_settings: Settings, principals: dict[str, Principal], snapshot
) -> None:
    reader = Reader(ml_settings)
    base = build_report(ml_settings, reader, principals["analis.pusat"], "baseline")
    bad = build_report(ml_settings, reader, principals["analis.pusat"], "adverse")
    year = base.year
    actual = snapshot.execute(
        "SELECT SUM(realisasi) FROM mart_apbn_bulanan WHERE pos = 'pendapatan' AND tahun = ? "
        "AND bulan <= 10",
        [year],
    ).fetchone()[0]
    realised = base.monthly[(base.monthly.tahun == year) & (base.monthly.jenis == "realisasi")]
    assert realised["pendapatan"].sum() == pytest.approx(float(actual))
    projected = base.monthly[base.monthly.jenis == "proyeksi"]
    assert set(projected.tahun) == {year} and len(projected) == 12 - len(realised)
    k, a = base.kpis, bad.kpis
    assert a["pendapatan_outlook"] < k["pendapatan_outlook"]
    assert a["belanja_outlook"] > k["belanja_outlook"]
    assert a["kebutuhan_pembiayaan_sisa"] > k["kebutuhan_pembiayaan_sisa"]
    assert a["penyangga_rekomendasi"] > k["penyangga_rekomendasi"] > 0
    assert a["saldo_kas_minimum_proyeksi"] < k["saldo_kas_minimum_proyeksi"]
    assert k["defisit_outlook"] == pytest.approx(k["belanja_outlook"] - k["pendapatan_outlook"])


def test_downloads_and_access(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["analis.pusat"])
    csv = client.get(
        "/dashboards/alco/download.csv?table=monthly&scenario=adverse", headers=headers
    )
    assert csv.status_code == 200
    assert "alco_monthly_adverse.csv" in csv.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(csv.text))
    assert {"tahun", "bulan", "jenis", "pendapatan", "belanja", "defisit"} <= set(frame.columns)
    xlsx = client.get("/dashboards/alco/download.xlsx?table=summary", headers=headers)
    assert xlsx.status_code == 200
    summary = pd.read_excel(io.BytesIO(xlsx.content), engine="calamine")
    assert "penyangga_rekomendasi" in set(summary["indikator"])
    assert client.get("/dashboards/alco/download.pdf", headers=headers).status_code == 400
    assert client.get("/dashboards/alco/download.csv?table=x", headers=headers).status_code == 400
    assert client.get("/dashboards/alco?scenario=worst", headers=headers).status_code == 400
    assert client.get("/dashboards/alco/download.csv").status_code == 401
    external = client.get("/dashboards/alco", headers=bearer(tokens["eksternal"]))
    assert external.status_code == 403
    page = client.get("/dashboards/alco?scenario=adverse", headers=headers)
    assert page.status_code == 200 and 'id="scenario">adverse' in page.text


def expect(locator):
    """Playwright's web-first assertion (imported late: Playwright is optional)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _open(page, url: str, token: str) -> None:
    page.set_extra_http_headers(bearer(token))
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_ml_pages_in_the_browser(
    trained_platform: Path, live_url: str, page, tokens: dict[str, str]
) -> None:
    _open(page, f"{live_url}/ml", tokens["analis.pusat"])
    assert page.locator("#card-forecasting .badge.ok").count() == 1
    assert page.locator("#card-cash_buffer .badge.ok").count() == 1
    _open(page, f"{live_url}/ml/cash_buffer?lang=en", tokens["analis.pusat"])
    assert page.locator("#metrics tbody tr").count() >= 3
    assert (
        page.locator("#explanation .bar").count() >= 1
        or page.locator("#explanation svg").count() >= 1
    )
    page.fill("input[name=confidence]", "0.99")
    page.click("#predict-form button")
    expect(page.locator("#prediction")).to_contain_text("0.99")
    page.fill("input[name=confidence]", "7")
    page.click("#predict-form button")
    expect(page.locator("#predict-errors")).to_contain_text("confidence")
    _open(page, f"{live_url}/ml/forecasting", tokens["analis.jatim"])
    assert page.locator("#fan .main-svg").count() >= 1  # the forecast's fan chart
    page.fill("input[name=horizon]", "12")
    page.click("#predict-form button")
    expect(page.locator("#prediction")).to_contain_text("2027-")
    assert page.console_errors == [] or all("400" in e for e in page.console_errors)


def test_alco_page_in_the_browser(
    trained_platform: Path, live_url: str, page, tokens: dict[str, str]
) -> None:
    _open(page, f"{live_url}/dashboards/alco", tokens["analis.pusat"])
    assert page.locator("#scenario").text_content() == "baseline"
    assert page.locator("#fig-flows .main-svg").count() >= 1
    assert page.locator("#fig-cash .main-svg").count() >= 1
    assert page.locator("#monthly-table tbody tr").count() >= 12
    page.click("#scenario-adverse")
    page.wait_for_load_state("networkidle")
    assert page.locator("#scenario").text_content() == "adverse"
    assert page.console_errors == []
