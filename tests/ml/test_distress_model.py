"""Distress of Pemda: beats the logistic scorecard, PP 56/2018 tests, per-field validation."""

from __future__ import annotations

import pytest

from treasury.ml.base import InputError
from treasury.ml.distress import MODEL, DistressModel, pp56_checks
from treasury.sources.apbd import COMPONENT_KEYS, SURABAYA_2025


@pytest.fixture(scope="module")
def model() -> DistressModel:
    return MODEL().train(None, seed=7)


def test_lightgbm_beats_scorecard_on_holdout_years(model: DistressModel) -> None:
    evaluation = model.evaluate()
    assert evaluation.primary_metric == "brier" and not evaluation.higher_is_better
    assert evaluation.beats_baseline
    assert evaluation.metrics["brier"] < 0.06
    assert evaluation.metrics["brier"] < evaluation.extra["base_rate"] * (
        1 - evaluation.extra["base_rate"]
    )
    assert evaluation.metrics["aucroc"] > 0.85
    curve = evaluation.extra["reliability"]
    assert sum(point["count"] for point in curve) == evaluation.rows
    low = curve[0]
    assert low["predicted"] < 0.1 and low["observed"] < 0.1


def test_surabaya_example_loads_the_real_components(model: DistressModel) -> None:
    case = model.example()
    assert [case[key] for key in COMPONENT_KEYS] == list(SURABAYA_2025.values())
    assert case["pajak_daerah"] == 3_648_730_000_000


def test_heavy_debt_raises_probability_with_dscr_reason(model: DistressModel) -> None:
    calm = model.example()
    heavy = dict(calm, pokok_dan_bunga=2_000_000_000_000, sisa_pinjaman=7_000_000_000_000)
    (low,), (high,) = model.predict([calm]), model.predict([heavy])
    assert low["probabilitas"] < 0.1 < 0.5 < high["probabilitas"]
    assert high["dscr_lulus"] is False and high["dscr"] < 2.5
    assert high["uji_75_lulus"] is False
    assert high["alasan"][0]["fitur"] in {"dscr", "rasio_layanan_utang", "rasio_sisa_pinjaman"}
    (explained,) = model.explain([heavy])
    assert list(explained) and set(explained) == set(model.features)
    sizes = [abs(value) for value in explained.values()]
    assert sizes == sorted(sizes, reverse=True)


def test_pp56_tests_by_hand() -> None:
    values = dict.fromkeys(COMPONENT_KEYS, 0.0)
    values.update(pajak_daerah=600.0, dau=400.0, dak=500.0)
    values.update(belanja_pegawai=500.0, pokok_dan_bunga=200.0, sisa_pinjaman=700.0)
    result = pp56_checks(values)
    assert result["dscr"] == 2.5 and result["dscr_lulus"]  # (600 + 400 - 500) / 200
    assert result["pendapatan_umum"] == 1000.0  # DAK is earmarked
    assert result["rasio_utang"] == 0.7 and result["uji_75_lulus"]
    values["pinjaman_baru"] = 100.0
    assert pp56_checks(values)["uji_75_lulus"] is False


def test_each_bad_field_gets_its_own_message(model: DistressModel) -> None:
    case = model.example()
    case.update(kode_pemda="9999", dau=-5)
    del case["dak"]
    case["pajak_daerah"] = "banyak"
    with pytest.raises(InputError) as caught:
        model.predict([case])
    problems = caught.value.problems
    assert set(problems) == {"kode_pemda", "dau", "dak", "pajak_daerah"}
    assert "tidak dikenal" in problems["kode_pemda"]
    assert "negatif" in problems["dau"] and problems["dau"].startswith("7 Dana Alokasi Umum")
    assert "wajib" in problems["dak"]
