"""The models API: cards, predict with explanations, bad input per field, 401/403/404."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer

URL = "/api/v1/models/forecasting/predict"


@pytest.fixture
def client(trained_platform: Path, api_client: TestClient) -> TestClient:
    return api_client


def test_list_and_detail(client: TestClient, tokens: dict[str, str]) -> None:
    body = client.get("/api/v1/models", headers=bearer(tokens["analis.pusat"])).json()
    assert body["ok"] is True
    names = {card["name"] for card in body["data"]}
    assert {"forecasting", "cash_buffer"} <= names
    card = next(c for c in body["data"] if c["name"] == "cash_buffer")
    assert card["evaluation"]["beats_baseline"] is True
    detail = client.get("/api/v1/models/forecasting", headers=bearer(tokens["admin"])).json()
    assert detail["data"]["example"] == {"frequency": "monthly", "kelompok": "total", "horizon": 6}
    assert detail["meta"]["versions"]


def test_predict_batch_and_single(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["analis.pusat"])
    cases = [{"horizon": 3}, {"frequency": "daily", "kelompok": "pnbp", "horizon": 10}]
    body = client.post(URL, json={"cases": cases}, headers=headers).json()
    assert body["ok"] is True and body["meta"]["count"] == 2
    first, second = body["data"]
    assert len(first["prediction"]["forecast"]) == 3
    assert first["prediction"]["forecast"][0]["lo_95"] <= first["prediction"]["forecast"][0]["mean"]
    assert len(second["prediction"]["forecast"]) == 10
    assert set(first["explanation"]) >= {"level (average of the last 12 months)"}
    single = client.post(
        "/api/v1/models/cash_buffer/predict",
        json={"horizon_days": 10, "confidence": 0.9},
        headers=headers,
    ).json()
    assert single["ok"] is True
    result = single["data"][0]
    assert result["prediction"]["buffer"] == pytest.approx(sum(result["explanation"].values()))


def test_bad_input_answers_per_field(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["analis.pusat"])
    response = client.post(URL, json={"horizon": -2, "kelompok": "bea"}, headers=headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_input"
    assert set(error["fields"]) == {"horizon", "kelompok"}
    assert "from 1 to 24" in error["fields"]["horizon"]
    batch = client.post(
        URL, json={"cases": [{"horizon": 2}, {"frequency": "hourly"}]}, headers=headers
    )
    assert batch.status_code == 400
    assert set(batch.json()["error"]["fields"]) == {"cases[1].frequency"}
    for body, field in (({"cases": []}, "cases"), ([1, 2], "cases[0]"), ("text", "body")):
        response = client.post(URL, json=body, headers=headers)
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"]


def test_unknown_and_untrained_models(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["admin"])
    unknown = client.post("/api/v1/models/nope/predict", json={}, headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_model"
    bad_name = client.post("/api/v1/models/NO!/predict", json={}, headers=headers)
    assert bad_name.status_code in (400, 404)


def test_untrained_model_404_names_the_command(
    home: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from treasury.ml import registry

    monkeypatch.setattr(registry, "models_dir", lambda settings=None: home / "nothing")
    from treasury.ml.routes import get_model

    with pytest.raises(Exception) as info:
        get_model("cash_buffer")
    assert info.value.status_code == 404  # type: ignore[attr-defined]
    assert "treasury models train cash_buffer" in info.value.detail["message"]  # type: ignore[attr-defined]


def test_access(client: TestClient, tokens: dict[str, str]) -> None:
    anonymous = client.post(URL, json={})
    assert anonymous.status_code == 401
    external = client.post(URL, json={}, headers=bearer(tokens["eksternal"]))
    assert external.status_code == 403
    assert client.get("/api/v1/models").status_code == 401


def test_region_scope_of_predictions(principals: dict) -> None:
    from fastapi import HTTPException

    from treasury.access.orgs import kabkota_of_kppn
    from treasury.ml.cash_buffer import CashBuffer
    from treasury.ml.routes import check_scope

    class Regional(CashBuffer):
        region_field = "kode_pemda"

    model = Regional()
    jatim, surabaya, pusat = (
        principals["analis.jatim"],
        principals["analis.surabaya"],
        principals["analis.pusat"],
    )
    check_scope(jatim, model, [{"kode_pemda": "3578"}, {"kode_pemda": "3500"}])  # East Java
    with pytest.raises(HTTPException) as info:
        check_scope(jatim, model, [{"kode_pemda": "3578"}, {"kode_pemda": "3171"}])
    assert info.value.status_code == 403
    assert "cases[1].kode_pemda" in info.value.detail["message"]
    served = kabkota_of_kppn(surabaya.org_code)
    check_scope(surabaya, model, [{"kode_pemda": served[0]}])
    with pytest.raises(HTTPException):
        check_scope(surabaya, model, [{"kode_pemda": "3500"}])  # the province is not its scope
    check_scope(pusat, model, [{"kode_pemda": "9101"}])  # national users see every region
    check_scope(jatim, CashBuffer(), [{"kode_pemda": "3171"}])  # no region field: no check
