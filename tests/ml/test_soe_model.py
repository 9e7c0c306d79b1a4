"""SOE early warning: Altman Z'' and KEP-100 arithmetic, beating Z'' alone, watch list, page."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from treasury.ml.base import InputError
from treasury.ml.soe import MODEL, SoeEarlyWarningModel
from treasury.ml.soe.scores import altman_parts, health_class, kep100_financial, rating, zone
from treasury.sources.bumn import generate_bumn


@pytest.fixture(scope="module")
def model() -> SoeEarlyWarningModel:
    return MODEL().train(None, seed=7)


def test_altman_and_kep100_by_hand() -> None:
    row = {
        "total_aset": 1000.0, "aset_lancar": 400.0, "liabilitas_lancar": 200.0,
        "total_liabilitas": 500.0, "laba_ditahan": 100.0, "ebit": 50.0, "pendapatan": 1200.0,
        "laba_bersih": 80.0, "penyusutan": 30.0, "kas": 80.0, "piutang": 100.0,
        "persediaan": 50.0, "skor_operasional": 12.0, "skor_administrasi": 13.0,
    }  # fmt: skip
    frame = pd.DataFrame([row])
    parts = altman_parts(frame).iloc[0]
    # 6.56*0.2 + 3.26*0.1 + 6.72*0.05 + 1.05*1.0
    assert parts["z_altman"] == pytest.approx(1.312 + 0.326 + 0.336 + 1.05)
    assert zone(3.0) == "aman" and zone(2.0) == "abu-abu" and zone(1.0) == "distress"
    # ROE 16% -> 20, ROI 10% -> 7.5, cash 40% -> 5, current 200% -> 5, collection 30 d -> 5,
    # inventory 15 d -> 5, TATO 150% -> 5, equity/assets 50% -> 8.5: 61.0
    assert kep100_financial(frame).iloc[0] == pytest.approx(61.0)
    assert rating(96) == "AAA" and rating(86) == "AA" and rating(50) == "BB" and rating(5) == "C"
    assert health_class("A") == "sehat" and health_class("CCC") == "tidak sehat"


def test_beats_logistic_on_z_with_other_soes(model: SoeEarlyWarningModel) -> None:
    evaluation = model.evaluate()
    assert evaluation.beats_baseline
    assert evaluation.metrics["aucroc"] > evaluation.baseline_metrics["aucroc"]
    assert evaluation.metrics["aucroc"] > 0.75
    assert evaluation.rows > 300


def test_watch_list_ranked_with_trend_and_reasons(model: SoeEarlyWarningModel) -> None:
    watch = model.watch_list()
    probs = [row["probabilitas"] for row in watch]
    assert probs == sorted(probs, reverse=True) and 25 <= len(watch) <= 60
    top = watch[0]
    assert len(top["tren_z"]) == 5 and top["alasan"] and top["peringkat"]
    assert top["probabilitas"] > watch[-1]["probabilitas"] + 0.2


def test_predict_explain_validate(model: SoeEarlyWarningModel) -> None:
    case = model.example()
    (risky,) = model.predict([case])
    healthy = dict(case, ebit=case["total_aset"] * 0.12, laba_ditahan=case["total_aset"] * 0.4,
                   total_liabilitas=case["total_aset"] * 0.3, arus_kas_operasi=case["total_aset"] * 0.15)  # fmt: skip
    (safe,) = model.predict([healthy])
    assert safe["probabilitas"] < risky["probabilitas"] and safe["zona"] == "aman"
    (explained,) = model.explain([case])
    assert set(explained) == set(model.features)
    with pytest.raises(InputError) as caught:
        model.predict(
            [dict(case, kas=-1, sektor="perbankan", skor_operasional=20, total_aset=None)]
        )
    assert set(caught.value.problems) == {"kas", "sektor", "skor_operasional", "total_aset"}


def test_generator_deterministic_and_labels_only_for_borrowers() -> None:
    first = generate_bumn(30, seed=2)
    pd.testing.assert_frame_equal(first, generate_bumn(30, seed=2))
    assert first["kode_bumn"].nunique() == 30
    assert not first.loc[first["angsuran_jatuh_tempo"] == 0, "gagal_bayar"].any()


def test_watch_list_page(trained: Any, api_client: TestClient, analyst: dict[str, str]) -> None:
    trained("soe")
    page = api_client.get("/ml/soe", headers=analyst)
    assert page.status_code == 200 and 'id="watch"' in page.text and "Altman Z''" in page.text
    bad = api_client.get("/ml/soe?sektor=perbankan", headers=analyst)
    assert 'data-field="sektor"' in bad.text
