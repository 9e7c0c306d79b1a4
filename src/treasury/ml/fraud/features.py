"""Features per village and year from the Dana Desa reports, and the red-flag rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.ml.fraud.benford import mad
from treasury.sources.dana_desa_laporan import ITEMS, THRESHOLDS

FEATURES = [
    "selisih_realisasi_fisik",
    "rasio_harga",
    "laporan_identik",
    "hari_antar_tahap_min",
    "bulan_tahap_1",
    "mad_digit_pertama",
    "mad_digit_kedua",
    "mad_dua_digit",
    "porsi_bulat",
    "pecahan_di_bawah_ambang",
]

#: code: (severity, Indonesian, English).
RULES = {
    "realisasi_tanpa_fisik": (
        "tinggi",
        "realisasi keuangan jauh di atas progres fisik (> 25 poin)",
        "spending far ahead of physical progress (> 25 points)",
    ),
    "laporan_identik": (
        "tinggi",
        "rincian laporan sama persis dengan laporan desa lain yang masuk lebih dulu",
        "report lines identical to another village's earlier report",
    ),
    "harga_di_atas_indeks": (
        "sedang",
        "harga satuan > 20% di atas indeks harga kab/kota",
        "unit prices > 20% above the kab/kota price index",
    ),
    "pemecahan_paket": (
        "sedang",
        "3 atau lebih belanja tepat di bawah ambang pengadaan",
        "3 or more purchases just below a procurement threshold",
    ),
    "tahap_berdekatan": (
        "sedang",
        "tahap penyaluran berjarak kurang dari 30 hari",
        "disbursement stages less than 30 days apart",
    ),
    "angka_bulat": (
        "sedang",
        "lebih dari 25% nilai belanja berupa angka bulat (kelipatan Rp 1 juta)",
        "over 25% of spending amounts are round (multiples of Rp 1 million)",
    ),
    "benford_menyimpang": (
        "rendah",
        "sebaran digit pertama atau kedua menyimpang dari hukum Benford",
        "first or second digits stray from Benford's law",
    ),
}


def _stage_gaps(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    stages = np.stack(
        [frame[f"tanggal_tahap_{i}"].to_numpy().astype("datetime64[D]") for i in (1, 2, 3)], axis=1
    )
    gaps = np.diff(stages, axis=1)
    days = np.where(np.isnat(gaps), np.inf, gaps.astype("timedelta64[D]").astype(np.float64))
    smallest = days.min(axis=1)
    month = stages[:, 0].astype("datetime64[M]").astype(np.int64) % 12 + 1
    return smallest, month.astype(np.float64)


def features(laporan: pd.DataFrame, rincian: pd.DataFrame) -> pd.DataFrame:
    """One row of :data:`FEATURES` per row of ``laporan`` (lines matched by desa and year)."""
    key = laporan["kode_desa"].astype(str) + "/" + laporan["tahun"].astype(str)
    position = pd.Series(np.arange(len(laporan)), index=key.to_numpy())
    line_key = rincian["kode_desa"].astype(str) + "/" + rincian["tahun"].astype(str)
    owner = position.reindex(line_key.to_numpy()).to_numpy()
    found = ~np.isnan(owner)
    owner = owner[found].astype(np.int64)
    values = rincian["nilai"].to_numpy(dtype=np.float64)[found]
    n = len(laporan)
    counts = np.bincount(owner, minlength=n).astype(np.float64)
    round_share = np.bincount(owner, weights=(values % 1_000_000 == 0), minlength=n)
    below = np.zeros(values.shape, dtype=bool)
    for limit in THRESHOLDS:
        below |= (values >= 0.95 * limit) & (values < limit)
    index = laporan["indeks_harga"].to_numpy(dtype=np.float64)
    ratios = np.stack(
        [laporan[item].to_numpy(dtype=np.float64) / (base * index) for item, base in ITEMS.items()],
        axis=1,
    )
    # Identical reports submitted earlier by other villages (the first one is the original).
    same = (
        laporan.sort_values("tanggal_laporan", kind="stable")
        .groupby(["tahun", "kode_laporan"])
        .cumcount()
        .reindex(laporan.index)
    )
    gap, month = _stage_gaps(laporan)
    return pd.DataFrame(
        {
            "selisih_realisasi_fisik": (
                laporan["realisasi_persen"] - laporan["fisik_persen"]
            ).to_numpy(),
            "rasio_harga": np.median(ratios, axis=1),
            "laporan_identik": same.to_numpy(dtype=np.float64),
            "hari_antar_tahap_min": np.minimum(gap, 365.0),
            "bulan_tahap_1": month,
            "mad_digit_pertama": mad(owner, values, n, "first"),
            "mad_digit_kedua": mad(owner, values, n, "second"),
            "mad_dua_digit": mad(owner, values, n, "first_two"),
            "porsi_bulat": np.divide(round_share, counts, out=np.zeros(n), where=counts > 0),
            "pecahan_di_bawah_ambang": np.bincount(owner, weights=below, minlength=n),
        },
        index=laporan.index,
    ).astype(np.float64)


def red_flags(feats: pd.DataFrame, mad_limits: tuple[float, float]) -> pd.DataFrame:
    """One boolean column per rule of :data:`RULES`; ``mad_limits``: the first- and second-digit
    MAD above which a village's digits are unusual (e.g. the training 97.5th percentiles: with
    ~50 lines a village, Nigrini's bands, made for thousands of numbers, would flag everyone)."""
    return pd.DataFrame(
        {
            "realisasi_tanpa_fisik": feats["selisih_realisasi_fisik"] > 25,
            "laporan_identik": feats["laporan_identik"] > 0,
            "harga_di_atas_indeks": feats["rasio_harga"] > 1.2,
            "pemecahan_paket": feats["pecahan_di_bawah_ambang"] >= 3,
            "tahap_berdekatan": feats["hari_antar_tahap_min"] < 30,
            "angka_bulat": feats["porsi_bulat"] > 0.25,
            "benford_menyimpang": (feats["mad_digit_pertama"] > mad_limits[0])
            | (feats["mad_digit_kedua"] > mad_limits[1]),
        },
        index=feats.index,
    )
