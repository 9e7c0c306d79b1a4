"""Synthetic village-fund reports: determinism, the injected patterns, Benford-like lines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.ml.fraud.benford import mad
from treasury.sources.dana_desa_laporan import PATTERNS, generate_reports


def test_deterministic_by_seed() -> None:
    first, second = generate_reports(3, seed=2), generate_reports(3, seed=2)
    pd.testing.assert_frame_equal(first.laporan, second.laporan)
    pd.testing.assert_frame_equal(first.rincian, second.rincian)
    assert not generate_reports(3, seed=4).laporan["kode_desa"].equals(first.laporan["kode_desa"])


def test_patterns_and_ground_truth() -> None:
    reports = generate_reports(6, years=(2023, 2024), seed=3)
    laporan = reports.laporan
    assert set(laporan.loc[laporan["fraud"], "pola"]) == set(PATTERNS)
    assert 0.02 < laporan["fraud"].mean() < 0.09
    fake = laporan[laporan["pola"] == "proyek_fiktif"]
    assert (fake["realisasi_persen"] - fake["fisik_persen"] > 30).all()
    copies = laporan[laporan["pola"] == "laporan_identik"]
    for _, row in copies.iterrows():
        twins = laporan[
            (laporan["kode_laporan"] == row["kode_laporan"]) & (laporan["tahun"] == row["tahun"])
        ]
        assert len(twins) >= 2 and row["tanggal_laporan"] > twins["tanggal_laporan"].min()
    assert laporan.loc[laporan["tahun"] == 2024, "tanggal_tahap_3"].isna().all()
    normal = laporan[~laporan["fraud"]]
    lines = reports.rincian[reports.rincian["kode_desa"].isin(normal["kode_desa"])]
    values = lines["nilai"].to_numpy(dtype=float)
    assert mad(np.zeros(values.size, dtype=np.int64), values, 1, "first")[0] < 0.012
