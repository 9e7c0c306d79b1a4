"""Village-fund fraud: Benford arithmetic, beating Benford-only, reasons, validation, page."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from treasury.ml.base import InputError
from treasury.ml.fraud import MODEL, VillageFundFraudModel
from treasury.ml.fraud.benford import FIRST, SECOND, conformity, leading_two, mad


class SmallFraud(VillageFundFraudModel):
    kabkota_count = 8


@pytest.fixture(scope="module")
def model() -> VillageFundFraudModel:
    return SmallFraud().train(None, seed=5)


def test_benford_expectations_and_bands() -> None:
    assert FIRST[0] == pytest.approx(0.30103, abs=1e-5) and SECOND[0] == pytest.approx(
        0.11968, abs=1e-5
    )
    assert leading_two(np.array([4_560_000, 10, 9.5])).tolist() == [45, 10, 0]
    rng = np.random.default_rng(0)
    benford = 10 ** rng.uniform(3, 9, 20_000)
    uniform = rng.integers(100_000, 999_999, 20_000).astype(float)
    groups = np.zeros(20_000, dtype=np.int64)
    assert conformity(float(mad(groups, benford, 1, "first")[0]), "first") == "close"
    assert conformity(float(mad(groups, uniform, 1, "first")[0]), "first") == "nonconformity"
    assert conformity(0.0016, "first_two") == "acceptable"


def test_beats_benford_only_and_random(model: VillageFundFraudModel) -> None:
    evaluation = model.evaluate()
    assert MODEL.name == "fraud" and evaluation.beats_baseline
    assert evaluation.metrics["aucpr"] > 0.7
    assert evaluation.baseline_metrics["aucpr"] < 0.3
    assert evaluation.metrics["aucpr"] > 5 * evaluation.extra["random_aucpr"]
    assert evaluation.metrics["precision_at_50"] >= 0.8
    recall = evaluation.extra["recall_by_pattern_in_top_n_injected"]
    assert recall["proyek_fiktif"] >= 0.9 and recall["laporan_identik"] >= 0.9


def test_review_list_is_ranked_with_reasons(model: VillageFundFraudModel) -> None:
    review = model.review_list(size=30)
    scores = [row["skor"] for row in review]
    assert scores == sorted(scores, reverse=True) and len(review) == 30
    assert all(row["alasan"] for row in review[:10])
    assert review[0]["nama"]


def test_predict_explain_and_per_field_errors(model: VillageFundFraudModel) -> None:
    (result,) = model.predict([model.example()])
    rules = {flag["aturan"] for flag in result["red_flags"]}
    assert {"realisasi_tanpa_fisik", "pemecahan_paket"} <= rules
    lines = [
        1_234_500,
        2_345_600,
        41_234_000,
        15_432_100,
        1_765_400,
        3_210_900,
        12_876_000,
        187_300,
    ]
    calm = dict(model.example(), fisik_persen=97.0, harga_semen=70_000, rincian=lines)
    (plain,) = model.predict([calm])
    assert plain["skor"] < result["skor"] - 1
    assert {flag["keparahan"] for flag in plain["red_flags"]} <= {"rendah"}
    (explained,) = model.explain([model.example()])
    assert len(explained) == len(model.features)
    with pytest.raises(InputError) as caught:
        model.predict(
            [
                {
                    "realisasi_persen": 140,
                    "fisik_persen": -1,
                    "tanggal_tahap_1": "20-03-2024",
                    "rincian": [1, 2],
                }
            ]
        )
    problems = caught.value.problems
    assert {
        "realisasi_persen",
        "fisik_persen",
        "tanggal_tahap_1",
        "tanggal_tahap_2",
        "rincian",
        "indeks_harga",
    } <= set(problems)


def test_review_page(trained: Any, api_client: TestClient, analyst: dict[str, str]) -> None:
    trained("fraud")
    page = api_client.get("/ml/fraud", headers=analyst)
    assert page.status_code == 200
    assert page.text.count("<tr><td>") >= 100 + 10  # review rows + Benford rows
    assert 'id="benford"' in page.text
    assert "close" in page.text or "acceptable" in page.text
    missing = api_client.get("/ml/fraud?kode_kabkota=0000", headers=analyst)
    assert 'data-field="kode_kabkota"' in missing.text
