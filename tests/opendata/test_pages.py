"""Open-data pages: catalog list, dataset page, login, logout, tokens, review buttons."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from treasury.config import get_settings

PASSWORDS = {
    "admin": "admin-demo-2024",
    "steward": "steward-demo-2024",
    "analis.pusat": "analis.pusat-demo-2024",
    "analis.jatim": "analis.jatim-demo-2024",
    "eksternal": "eksternal-demo-2024",
}


def opendata_app() -> FastAPI:
    """The portal (the open-data product is plugged into the web app)."""
    from treasury.web.app import create_app

    return create_app()


@pytest.fixture(scope="session")
def opendata_platform(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TREASURY_HOME with tiny-scale data through the whole pipeline, and the demo users."""
    from treasury.access import seed_demo_users
    from treasury.db.session import session_scope
    from treasury.sources.generate import generate
    from treasury.warehouse.pipeline import run_pipeline

    home = tmp_path_factory.mktemp("opendata-platform")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(home))
        patch.delenv("TREASURY_DATABASE_URL", raising=False)
        patch.setenv("TREASURY_ARGON2_MEMORY_KIB", "8192")
        patch.setenv("TREASURY_ARGON2_TIME_COST", "1")
        get_settings.cache_clear()
        _clear_access_caches()
        settings = get_settings()
        generate(settings.landing, scale="tiny", seed=5, as_of=dt.date(2026, 11, 23))
        assert run_pipeline(settings).status == "succeeded"
        with session_scope(settings.app_database_url) as session:
            seed_demo_users(session)
    get_settings.cache_clear()
    _clear_access_caches()
    return home


def _clear_access_caches() -> None:
    from treasury.access import get_access_settings
    from treasury.access.http import get_session_settings

    get_access_settings.cache_clear()  # type: ignore[attr-defined]
    get_session_settings.cache_clear()


@pytest.fixture
def client(opendata_platform: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A test client of the portal over the session's platform."""
    monkeypatch.setenv("TREASURY_HOME", str(opendata_platform))
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    monkeypatch.setenv("TREASURY_ARGON2_MEMORY_KIB", "8192")
    monkeypatch.setenv("TREASURY_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TREASURY_RATELIMIT_ADDRESS_PER_MINUTE", "100000")
    monkeypatch.setenv("TREASURY_RATELIMIT_TOKEN_PER_MINUTE", "100000")
    monkeypatch.setenv("TREASURY_LOGIN_MAX_FAILURES", "1000")
    get_settings.cache_clear()
    _clear_access_caches()
    with TestClient(opendata_app()) as test_client:
        yield test_client
    get_settings.cache_clear()
    _clear_access_caches()


def login(client: TestClient, name: str) -> None:
    """Log ``name`` in through the form."""
    response = client.post(
        "/login", data={"name": name, "password": PASSWORDS[name]}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert "tbd_session" in response.headers["set-cookie"]


def text(html: str) -> str:
    """The visible text of a page, roughly (tags removed, spaces collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_catalog_lists_ten_of_all_published(client: TestClient) -> None:
    response = client.get("/data")
    assert response.status_code == 200
    page = text(response.text)
    assert "Referensi Dataset" in page
    for header in ("NO", "KATEGORI", "NAMA DATASET", "JML KOLOM", "STATUS", "AKSI"):
        assert header in page
    total = int(re.search(r"Menampilkan 1 sampai 10 dari (\d+) entri", page).group(1))
    assert total >= 44
    assert response.text.count('<td class="od-buttons"><a href="/data/') == 10


def test_catalog_page_size_search_and_english(client: TestClient) -> None:
    page = text(client.get("/data?n=25").text)
    assert "Menampilkan 1 sampai 25 dari" in page
    found = text(client.get("/data?q=bansos").text)
    assert "BANSOS 2023" in found and "BANSOS 2022" in found
    count = int(re.search(r"dari (\d+) entri", found).group(1))
    assert 2 <= count < 10
    english = text(client.get("/data?lang=en").text)
    assert re.search(r"Showing 1 to 10 of \d+ entries", english)
    assert "Dataset Reference" in english


def test_catalog_facet_narrows(client: TestClient) -> None:
    page = text(client.get("/data?category=BPS").text)
    count = int(re.search(r"dari (\d+) entri", page).group(1))
    assert count >= 4
    assert "BPS GINI RASIO" in page and "APBN BELANJA 2023" not in page


def test_dataset_page_has_metadata_dictionary_preview_downloads_and_examples(
    client: TestClient,
) -> None:
    response = client.get("/data/bps-gini-rasio")
    assert response.status_code == 200
    html = response.text
    assert "BPS GINI RASIO" in html
    assert 'id="dictionary"' in html and 'id="preview"' in html
    for fmt in ("csv", "xlsx", "json", "parquet"):
        assert f"/api/v1/datasets/bps-gini-rasio/export.{fmt}" in html
    assert "curl -H" in html and "OpenData(" in html and "ckanapi" in html
    assert '<a href="/docs">' in html


def test_dataset_page_filters_reach_preview_and_downloads(client: TestClient) -> None:
    html = client.get("/data/bansos-2023?bulan__gte=6").text
    assert "/api/v1/datasets/bansos-2023/export.csv?bulan__gte=6" in html
    assert "bulan__gte=6" in html
    bad = client.get("/data/bansos-2023?nope__eq=1")
    assert bad.status_code == 200
    assert 'id="preview-error"' in bad.text


def test_unknown_dataset_is_404(client: TestClient) -> None:
    assert client.get("/data/tidak-ada").status_code == 404


def test_login_logout_and_bad_password(client: TestClient) -> None:
    wrong = client.post("/login", data={"name": "analis.pusat", "password": "salah"})
    assert wrong.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in wrong.text
    login(client, "analis.pusat")
    assert "analis.pusat" in client.get("/data").text
    client.post("/logout")
    assert 'id="nav-login"' in client.get("/data").text


def _logouts(user: str | None) -> int:
    """Audit records of ``user`` logging out (None: anonymous ones, which must not exist)."""
    from sqlalchemy import func, select

    from treasury.db.access import AuditEvent
    from treasury.db.session import session_scope

    with session_scope(get_settings().app_database_url) as session:
        query = select(func.count()).where(
            AuditEvent.action == "logout", AuditEvent.user_name == user
        )
        return int(session.scalar(query) or 0)


def test_get_logout_only_asks(client: TestClient) -> None:
    login(client, "analis.jatim")
    page = client.get("/logout")
    assert page.status_code == 200
    assert "Anda masuk sebagai <strong>analis.jatim</strong>" in page.text
    assert re.search(r'<form method="post" action="/logout"><input type="hidden"', page.text)
    assert 'id="logout-confirm"' in page.text
    assert "tbd_session" not in page.headers.get("set-cookie", "")
    assert 'id="nav-logout"' in client.get("/data").text  # still logged in
    english = client.get("/logout?lang=en").text
    assert "You are logged in as" in english and "Log out of the portal now?" in english


def test_logout_post_needs_the_csrf_token(client: TestClient) -> None:
    login(client, "analis.jatim")
    before = _logouts("analis.jatim")
    page = client.get("/logout").text
    assert '<form class="nav-logout" method="post" action="/logout">' in page  # the top bar
    forged = client.post(
        "/logout", headers={"Origin": "http://evil.example"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "csrf_failed"
    assert "tbd_session" not in forged.headers.get("set-cookie", "")
    assert 'id="nav-logout"' in client.get("/data").text  # still logged in
    assert _logouts("analis.jatim") == before

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post(
        "/logout",
        data={"csrf_token": token},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    cleared = done.headers["set-cookie"]
    assert cleared.startswith('tbd_session=""') and "Max-Age=0" in cleared
    assert 'id="nav-login"' in client.get("/data").text
    assert _logouts("analis.jatim") == before + 1
    assert 'id="logout-not-in"' in client.get("/logout").text


def test_logout_without_a_session_records_nothing(client: TestClient) -> None:
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert _logouts(None) == 0


def test_login_redirects_only_to_this_site(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"name": "eksternal", "password": PASSWORDS["eksternal"], "next": "//evil.example"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/portal"  # the role home on this site


def test_tokens_created_shown_once_and_revoked(client: TestClient) -> None:
    assert client.get("/tokens", follow_redirects=False).status_code == 303
    login(client, "eksternal")
    created = client.post("/tokens", data={"label": "skrip", "days": "30"})
    token = re.search(r'id="new-token">(tbd_[^<]+)<', created.text).group(1)
    assert client.get("/tokens").text.count(token) == 0  # shown once
    api = client.get("/api/v1/requests", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    token_id = re.search(r'action="/tokens/(\d+)/cabut"', created.text).group(1)
    client.post(f"/tokens/{token_id}/cabut")
    assert "Dicabut" in client.get("/tokens").text
    refused = client.get("/api/v1/requests", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_nav_links(client: TestClient) -> None:
    html = client.get("/data").text
    for href in ("/data", "/data/unggah", "/permintaan", "/api/docs", "/login"):
        assert f'href="{href}"' in html or f'href="{href}?' in html  # login carries ?next=
    docs = client.get("/api/docs", follow_redirects=False)
    assert docs.status_code == 307 and docs.headers["location"] == "/docs"
