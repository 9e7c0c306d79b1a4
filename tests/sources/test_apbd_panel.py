"""Synthetic APBD panel: 546 Pemda, the twenty components, determinism, label mechanism."""

from __future__ import annotations

import pandas as pd

from treasury.sources.apbd import COMPONENT_KEYS, COMPONENTS, SURABAYA_2025, generate_apbd


def test_panel_shape_names_and_calibration_point() -> None:
    panel = generate_apbd(5, 2022, 2025)
    assert panel["kode_pemda"].nunique() == 546
    assert len(panel) == 546 * 4
    assert [number for _, number, _ in COMPONENTS] == list(range(1, 21))
    assert COMPONENTS[16][2] == "Pendapatan Dana Otonomi Khusus (Kab/Kota)"
    assert (panel[COMPONENT_KEYS] >= 0).all().all()
    surabaya = panel[(panel["kode_pemda"] == "3578") & (panel["tahun"] == 2025)].iloc[0]
    assert {key: int(surabaya[key]) for key in COMPONENT_KEYS} == SURABAYA_2025
    kota = panel[panel["jenis"] == "kota"]
    assert (kota["dana_desa"] == 0).all()
    kab = panel[panel["jenis"] == "kabupaten"]
    transfers = kab[["dau", "dak", "dbh_pajak", "dbh_sda", "dana_desa"]].sum(axis=1)
    assert (transfers / kab[COMPONENT_KEYS].sum(axis=1)).median() > 0.6


def test_deterministic_by_seed() -> None:
    pd.testing.assert_frame_equal(generate_apbd(5, 2020, 2022), generate_apbd(5, 2020, 2022))
    assert not generate_apbd(6, 2020, 2022)["dau"].equals(generate_apbd(5, 2020, 2022)["dau"])


def test_label_follows_the_documented_mechanism() -> None:
    panel = generate_apbd(5)
    borrower = panel["pokok_dan_bunga"] > 0
    thin = borrower & (panel["dscr_realisasi"] < 2.5)
    spending_gap = (panel["saldo_akhir"] < 0) & (panel["tagihan_belum_dibayar"] > 0)
    assert panel.loc[thin, "distress"].all()
    assert panel.loc[panel["tunggakan_90_hari"], "distress"].all()
    assert not panel.loc[panel["intersepsi"] & ~panel["tunggakan_90_hari"]].shape[0]
    calm = ~thin & ~spending_gap & ~panel["tunggakan_90_hari"]
    assert not panel.loc[calm, "distress"].any()
    assert 0.03 < panel["distress"].mean() < 0.25
    last = panel["tahun"] == panel["tahun"].max()
    assert panel.loc[last, "distress_tahun_depan"].isna().all()
