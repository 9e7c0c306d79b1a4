"""The portal's home page over a real snapshot built from tiny generated sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from treasury.config import get_settings
from treasury.web.app import create_app


@pytest.fixture
def empty_client(home) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def test_home_without_data_says_what_to_do(empty_client: TestClient) -> None:
    page = empty_client.get("/")
    assert page.status_code == 200
    assert "treasury demo" in page.text
    english = empty_client.get("/?lang=en")
    assert "No data yet" in english.text
    assert english.cookies.get("lang") == "en"


def test_health(empty_client: TestClient) -> None:
    assert empty_client.get("/healthz").json()["status"] == "ok"


def test_home_shows_apbn_in_rupiah(tiny_home) -> None:
    with TestClient(create_app()) as client:
        page = client.get("/")
    assert page.status_code == 200
    # 2023 audited: revenue 2,783.9 T, spending 3,121.2 T, deficit 337.3 T (apbn_annual.csv)
    assert "Rp 2.783,9 T" in page.text
    assert "Rp 3.121,2 T" in page.text
    assert "Rp 337,3 T" in page.text
    assert get_settings().home == tiny_home


def test_home_shows_the_data_as_of_date(tiny_home) -> None:
    with TestClient(create_app()) as client:
        assert "Data per: 23 November 2026" in client.get("/").text
        assert "Data as of: 23 November 2026" in client.get("/?lang=en").text


def test_plotly_js_is_served_from_the_wheel_gzipped_when_accepted(empty_client: TestClient) -> None:
    from treasury.web.app import PLOTLY_JS

    original = PLOTLY_JS.read_bytes()
    packed = empty_client.get(
        "/static/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip, deflate"}
    )
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.content == original  # httpx decodes it
    assert int(packed.headers["content-length"]) < len(original) / 2
    plain = empty_client.get(
        "/static/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and plain.content == original
