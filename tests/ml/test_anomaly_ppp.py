"""The PPP payment model: beats the amount z-score, flags injected patterns, validates input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from treasury.ml.anomaly import MODEL, PaymentAnomalyModel
from treasury.ml.base import InputError


@pytest.fixture(scope="module")
def model() -> PaymentAnomalyModel:
    class Small(PaymentAnomalyModel):
        rows = 6000

    return Small().train(None, seed=3)


def test_model_beats_amount_zscore_on_holdout(model: PaymentAnomalyModel) -> None:
    evaluation = model.evaluate()
    assert MODEL.name == "anomaly"
    assert evaluation.beats_baseline
    assert evaluation.metrics["aucpr"] > 0.5
    assert evaluation.baseline_metrics["aucpr"] < 0.2
    assert evaluation.metrics["precision_at_100"] >= 0.45  # 72 injected among 6,072
    assert evaluation.baseline_metrics["precision_at_100"] < 0.3
    recall = evaluation.extra["recall_by_pattern_in_top_n_injected"]
    assert recall["duplikat"] >= 0.9 and recall["rekening_bersama"] >= 0.9


def test_predict_and_explain_one_payment(model: PaymentAnomalyModel) -> None:
    (result,) = model.predict([model.example()])
    assert result["tingkat"] == "tinggi"
    rules = {flag["aturan"] for flag in result["red_flags"]}
    assert {"hari_libur", "rekening_bersama", "vendor_baru_nilai_besar"} <= rules
    ordinary = dict(model.example(), nilai=25_000_000, tanggal="2025-03-12", jam=10.0)
    ordinary.update(umur_vendor_hari=900, vendor_serekening=0)
    (plain,) = model.predict([ordinary])
    assert plain["red_flags"] == [] and plain["skor"] < result["skor"]
    (explained,) = model.explain([model.example()])
    assert len(explained) == len(model.features)
    values = list(explained.values())
    assert values == sorted(values, reverse=True)


def test_predict_reports_each_bad_field(model: PaymentAnomalyModel) -> None:
    with pytest.raises(InputError) as caught:
        model.predict([{"nilai": -5, "tanggal": "kemarin", "jam": 25, "vendor_serekening": "dua"}])
    problems = caught.value.problems
    assert set(problems) >= {"nilai", "tanggal", "jam", "umur_vendor_hari", "vendor_serekening"}
    assert "YYYY-MM-DD" in problems["tanggal"]


def test_generic_page_and_predict_api(
    trained: Any, api_client: TestClient, analyst: dict[str, str]
) -> None:
    from treasury.ml import registry

    settings = trained("anomaly")
    assert api_client.get("/ml/anomaly", headers=analyst).status_code == 200
    example = registry.load("anomaly", settings=settings).example()
    answer = api_client.post(
        "/api/v1/models/anomaly/predict", json={"cases": [example]}, headers=analyst
    )
    assert answer.status_code == 200
    assert answer.json()["data"][0]["prediction"]["tingkat"] == "tinggi"
    bad = api_client.post(
        "/api/v1/models/anomaly/predict", json={"nilai": "banyak"}, headers=analyst
    )
    assert bad.status_code == 400 and "nilai" in bad.json()["error"]["fields"]
