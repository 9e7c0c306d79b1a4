# ruff: noqa: F811  (pytest fixtures imported from test_pages)
"""The open-data pages in a real browser (Playwright driving Debian's Chromium): catalog,
search, dataset preview and CSV download, login, upload with its report, steward approval,
and a data request from question to fulfilment. Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_pages import PASSWORDS, opendata_platform  # noqa: F401  (fixtures)
from tests.testkit import served

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DATASET = "bansos-2023"


@pytest.fixture(scope="module")
def server(opendata_platform: Path) -> Iterator[str]:
    """The real app served by uvicorn in a subprocess over the platform; yields its URL."""
    env = {
        **os.environ,
        "TREASURY_HOME": str(opendata_platform),
        "TREASURY_ARGON2_MEMORY_KIB": "8192",
        "TREASURY_ARGON2_TIME_COST": "1",
        "TREASURY_RATELIMIT_ADDRESS_PER_MINUTE": "100000",
        "TREASURY_LOGIN_MAX_FAILURES": "1000",
    }
    env.pop("TREASURY_DATABASE_URL", None)
    with served(env) as url:
        yield url


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh page recording console errors; leaves a full-page screenshot as an artifact."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def login(page, url: str, name: str) -> None:
    """Log in through the form."""
    page.goto(f"{url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.click("form.od-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#nav-logout").count() == 1


def logout(page, url: str) -> None:
    """Log out with the button in the top bar (a POST with the CSRF token)."""
    page.click("#nav-logout")
    page.wait_for_load_state()
    assert page.locator("#nav-login").count() == 1
    assert page.url.rstrip("/") == url


def test_logout_link_asks_before_logging_out(server: str, page) -> None:
    login(page, server, "analis.pusat")
    page.goto(f"{server}/logout")
    assert "Anda masuk sebagai analis.pusat" in page.locator("main").inner_text()
    assert page.locator("#nav-logout").count() == 1  # visiting the page changed nothing
    page.click("#logout-confirm")
    page.wait_for_load_state()
    assert page.locator("#nav-login").count() == 1
    page.goto(f"{server}/logout?lang=en")
    assert page.locator("#logout-not-in").inner_text() == "You are not logged in."
    assert page.console_errors == []


def test_catalog_lists_ten_and_search_narrows(server: str, page) -> None:
    page.goto(f"{server}/data")
    assert page.locator("h1").inner_text() == "Referensi Dataset"
    assert page.locator("#catalog-table tbody tr").count() == 10
    info = page.locator("#catalog-info").inner_text()
    total = int(re.fullmatch(r"Menampilkan 1 sampai 10 dari (\d+) entri", info).group(1))
    assert total >= 44
    page.select_option("#page-size", "25")
    page.wait_for_url(re.compile(r"n=25"))
    assert page.locator("#catalog-table tbody tr").count() == 25
    page.fill("#catalog-search", "bansos")
    page.press("#catalog-search", "Enter")
    page.wait_for_url(re.compile(r"q=bansos"))
    names = page.locator("#catalog-table tbody tr td:nth-child(3)").all_inner_texts()
    assert "BANSOS 2023" in names and len(names) < 10
    assert page.console_errors == []


def test_dataset_preview_and_csv_download_match(server: str, page) -> None:
    page.goto(f"{server}/data/{DATASET}")
    assert page.locator("#dataset-title").inner_text() == "BANSOS 2023"
    rows = page.locator("#preview tbody tr")
    assert 0 < rows.count() <= 20
    columns = page.locator("#preview thead th").all_inner_texts()
    page.select_option("#filter-column", "bulan")
    page.select_option("#filter-op", "gte")
    page.fill("#filter-value", "6")
    page.click("#filter-apply")
    page.wait_for_url(re.compile(r"bulan__gte=6"))
    months = page.locator("#preview tbody tr td:nth-child(2)").all_inner_texts()
    assert months and all(int(m) >= 6 for m in months)
    with page.expect_download() as info:
        page.click("#downloads a[data-format=csv]")
    download = info.value
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0] == columns
    assert all(int(r[columns.index("bulan")]) >= 6 for r in table[1:])
    direct = httpx.get(f"{server}/api/v1/datasets/{DATASET}/export.csv?bulan__gte=6")
    assert direct.content.decode("utf-8-sig") == content
    page.click("button.copy[data-target=example-1]")
    assert page.console_errors == []


def test_upload_report_then_steward_approves(server: str, page, tmp_path: Path) -> None:
    login(page, server, "analis.pusat")
    source = tmp_path / "pagu_kppn.csv"
    source.write_text(
        "Kode KPPN,Tahun,Pagu\n086,2024,1500000\n019,2024,2500000\n020,2024,banyak\n",
        encoding="utf-8",
    )
    page.goto(f"{server}/data/unggah")
    page.set_input_files("#file", str(source))
    page.fill("#title", "Pagu KPPN Peramban")
    page.click("#upload-submit")
    page.wait_for_selector("#schema-table")
    page.select_option("select[name=type__pagu]", "integer")
    page.click("#confirm-upload")
    page.wait_for_selector("#upload-report")
    assert page.locator("#rows-valid").inner_text() == "2"
    assert page.locator("#rows-invalid").inner_text() == "1"
    report = page.locator("#report-table tbody tr td").all_inner_texts()
    assert report[:4] == ["4", "pagu", "type", "banyak"]
    slug = page.locator("#upload-dataset").inner_text()
    page.screenshot(path=str(ARTIFACTS / "upload_report.png"), full_page=True)
    logout(page, server)

    login(page, server, "steward")
    page.goto(f"{server}/data/{slug}")
    assert page.locator("#dataset-status").inner_text() == "Ditinjau"
    page.click("#approve")
    page.wait_for_load_state()
    assert page.locator("#dataset-status").inner_text() == "Terbit"
    assert page.console_errors == []


def test_data_request_from_question_to_fulfilment(server: str, page) -> None:
    login(page, server, "eksternal")
    page.goto(f"{server}/permintaan")
    page.fill("#title", "Bansos per kabupaten 2023")
    page.fill("#purpose", "Penelitian kemiskinan")
    page.fill("#region", "Jawa Timur")
    page.fill("#needed_by", "2030-06-30")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#request-status")
    request_url = page.url
    assert page.locator("#request-status").inner_text() == "Diajukan"
    logout(page, server)

    login(page, server, "steward")
    page.goto(request_url)
    page.fill("#decision-comment", "Perlu per bulan?")
    page.click("#ask")
    page.wait_for_load_state()
    assert page.locator("#request-status").inner_text() == "Pertanyaan"
    logout(page, server)

    login(page, server, "eksternal")
    page.goto(request_url)
    assert "Perlu per bulan?" in page.locator("#comments").inner_text()
    page.fill("#comment-body", "Ya, per bulan.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#request-status").inner_text() == "Diajukan"
    logout(page, server)

    login(page, server, "steward")
    page.goto(request_url)
    page.click("#accept")
    page.wait_for_load_state()
    page.fill("#decision-dataset", DATASET)
    page.click("#fulfil")
    page.wait_for_load_state()
    assert page.locator("#request-status").inner_text() == "Dipenuhi"
    logout(page, server)

    login(page, server, "eksternal")
    page.goto(f"{server}/permintaan")
    assert "Dipenuhi" in page.locator("#request-table").inner_text()
    page.goto(request_url)
    page.click("#fulfilled-dataset")
    page.wait_for_load_state()
    assert page.locator("#dataset-title").inner_text() == "BANSOS 2023"
    assert page.console_errors == []
