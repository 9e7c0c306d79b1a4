"""Synthetic PPP payments: deterministic by seed, every pattern injected and labelled."""

from __future__ import annotations

import pandas as pd

from treasury.sources.ppp import PATTERNS, THRESHOLDS, generate_ppp


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    first = generate_ppp(2000, seed=11)
    pd.testing.assert_frame_equal(first, generate_ppp(2000, seed=11))
    assert not first["nilai"].equals(generate_ppp(2000, seed=12)["nilai"])


def test_patterns_are_injected_as_described() -> None:
    rows = generate_ppp(5000, seed=4)
    injected = rows[rows["anomali"]]
    assert set(injected["pola"]) == set(PATTERNS)
    assert 0.005 < rows["anomali"].mean() < 0.02
    assert rows["id_transaksi"].is_unique
    below = injected[injected["pola"] == "di_bawah_ambang"]["nilai"]
    assert all(any(0.95 * t <= v < t for t in THRESHOLDS) for v in below)
    new = injected[injected["pola"] == "vendor_baru_nilai_besar"]
    assert ((new["tanggal"] - new["vendor_terdaftar"]).dt.days.between(1, 30)).all()
    shells = injected[injected["pola"] == "rekening_bersama"]["rekening_vendor"]
    owners = rows.groupby("rekening_vendor")["kode_vendor"].nunique()
    assert (owners[shells.unique()] >= 2).all()
