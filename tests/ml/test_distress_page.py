"""The /ml/distress form and the distress predict API over the session's platform."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer

from treasury.config import Settings
from treasury.sources.apbd import COMPONENTS


@pytest.fixture
def distress_trained(trained: Any) -> Settings:
    return trained("distress")


def test_form_loads_the_twenty_components_of_a_kabkota(
    distress_trained: Settings, api_client: TestClient, analyst: dict[str, str]
) -> None:
    page = api_client.get("/ml/distress?kode_pemda=3578", headers=analyst)
    assert page.status_code == 200
    html = page.text
    for number, (_key, _, name) in enumerate(COMPONENTS, start=1):
        assert f"{number}. {name}</label>" in html
    assert 'name="pajak_daerah" value="3648730000000"' in html
    assert re.search(r'id="probability"><b>\d+\.\d%</b>', html)
    assert 'id="dscr"' in html and 'id="debt75"' in html and "Kota Surabaya" in html


def test_form_answers_each_bad_field(
    distress_trained: Settings, api_client: TestClient, analyst: dict[str, str]
) -> None:
    params = {key: "0" for key, _, _ in COMPONENTS}
    params.update(kode_pemda="3578", hitung="1", pajak_daerah="1000", dau="-5")
    params.update(belanja_pegawai="10", sisa_pinjaman="0")  # pokok_dan_bunga missing
    page = api_client.get("/ml/distress", params=params, headers=analyst)
    assert page.status_code == 200
    errors = dict(re.findall(r'data-field="(\w+)">([^<]+)<', page.text))
    assert set(errors) == {"dau", "pokok_dan_bunga"}
    assert "negatif" in errors["dau"] and "wajib" in errors["pokok_dan_bunga"]
    unknown = api_client.get("/ml/distress?kode_pemda=9999", headers=analyst)
    assert "tidak dikenal" in unknown.text


def test_predict_api_per_field_and_access(
    distress_trained: Settings,
    api_client: TestClient,
    tokens: dict[str, str],
    analyst: dict[str, str],
) -> None:
    bad = api_client.post(
        "/api/v1/models/distress/predict",
        json={"kode_pemda": "0000", "dau": -1},
        headers=analyst,
    )
    assert bad.status_code == 400
    fields = bad.json()["error"]["fields"]
    assert "kode_pemda" in fields and "dau" in fields and "dak" in fields
    assert api_client.get("/ml/distress", headers=bearer(tokens["eksternal"])).status_code == 403


def test_scoped_analyst_only_asks_about_own_region(
    distress_trained: Settings, api_client: TestClient, tokens: dict[str, str]
) -> None:
    from treasury.ml import registry

    case = registry.load("distress", settings=distress_trained).example()  # Kota Surabaya, 35
    jatim = bearer(tokens["analis.jatim"])
    own = api_client.post("/api/v1/models/distress/predict", json=case, headers=jatim)
    assert own.status_code == 200
    assert 0 <= own.json()["data"][0]["prediction"]["probabilitas"] <= 1
    other = dict(case, kode_pemda="1101")  # Aceh
    assert (
        api_client.post("/api/v1/models/distress/predict", json=other, headers=jatim).status_code
        == 403
    )
