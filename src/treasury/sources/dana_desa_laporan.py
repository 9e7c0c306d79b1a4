"""Synthetic village-fund (Dana Desa) reports per village and year, with injected fraud.

Two tables: ``laporan`` (one row per village x year: allocation, stage disbursement dates,
realisation and physical progress, unit prices of three standard items against the kab/kota
price index, a fingerprint of the report) and ``rincian`` (the report's spending lines, in
rupiah). Normal spending lines are log-uniform over three decades, so their leading digits
follow Benford's law; cash aid (BLT) lines are legitimately round (Rp 300,000 a month).

Injected patterns (typology of ICW and KPK in FACTS.md), one per fraudulent village-year,
labelled in ``pola``:

| pola | what is injected |
|---|---|
| ``mark_up`` | unit prices 25-80% above the regional price index |
| ``proyek_fiktif`` | realisation near 100% with physical progress 15-60% |
| ``laporan_identik`` | the spending lines of an earlier report of another village, copied (fictitious report, ghost village) |
| ``angka_rekaan`` | invented lines: round amounts with hand-picked leading digits (embezzlement, cuts) |
| ``pemecahan`` | a purchase split into 3-6 lines just below a procurement threshold |
| ``percepatan_tahap`` | every stage disbursed within a few weeks at year end |
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from treasury.reference import villages
from treasury.sources.seeds import stream

PATTERNS = (
    "mark_up",
    "proyek_fiktif",
    "laporan_identik",
    "angka_rekaan",
    "pemecahan",
    "percepatan_tahap",
)
#: Standard items with national base prices (rupiah): cement per 50 kg sack, sand per m3,
#: a labour day (HOK). Unverified, plausible 2024 levels.
ITEMS = {"harga_semen": 65_000, "harga_pasir": 250_000, "harga_hok": 110_000}
#: Village procurement thresholds (rupiah) below which purchases need fewer quotes.
THRESHOLDS = (50_000_000, 200_000_000)


@dataclass
class VillageReports:
    """The two tables of one synthetic run."""

    laporan: pd.DataFrame
    rincian: pd.DataFrame


def _stage_dates(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    """Three stage dates (2024 on: two stages, the third is NaT) per village, in order."""
    start = np.datetime64(f"{year}-01-01")
    first = start + rng.integers(60, 130, n).astype("timedelta64[D]")
    second = first + rng.integers(90, 150, n).astype("timedelta64[D]")
    third = second + rng.integers(60, 100, n).astype("timedelta64[D]")
    if year >= 2024:
        third = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.stack([first, second, third], axis=1)


def generate_reports(
    kabkota: int = 20, years: tuple[int, ...] = (2023, 2024), seed: int = 7, rate: float = 0.05
) -> VillageReports:
    """Reports of every desa in ``kabkota`` kab/kota (picked by seed) for ``years``."""
    rng = stream(seed, "dana_desa_laporan")
    table = villages().to_pandas()
    table = table[table["jenis"] == "desa"]
    regions = np.sort(table["kode_kabkota"].unique())
    chosen = rng.choice(regions, size=min(kabkota, regions.size), replace=False)
    desa = table[table["kode_kabkota"].isin(chosen)].reset_index(drop=True)
    index = pd.Series(rng.lognormal(0.15, 0.2, chosen.size), index=chosen)
    reports, lines = [], []
    for year in years:
        yr = stream(seed, "dana_desa_laporan", year)
        n = len(desa)
        frame = desa[["kode_desa", "kode_kabkota", "kode_provinsi"]].copy()
        frame["tahun"] = year
        frame["pagu"] = np.round(yr.lognormal(np.log(9.5e8), 0.18, n), -3).astype(np.int64)
        stages = _stage_dates(yr, year, n)
        realisation = np.clip(yr.normal(97.5, 2.5, n), 80, 100)
        progress = np.clip(realisation - np.abs(yr.normal(2.0, 4.0, n)), 40, 100)
        price_index = index[frame["kode_kabkota"]].to_numpy()
        prices = {key: base * price_index * yr.lognormal(0, 0.07, n) for key, base in ITEMS.items()}
        counts = yr.poisson(45, n) + 10
        owner = np.repeat(np.arange(n), counts)
        amounts = np.round(10 ** yr.uniform(5.0, 8.0, owner.size), -3)
        blt = yr.random(owner.size) < 0.06
        amounts[blt] = 300_000 * yr.integers(3, 13, blt.sum()) * yr.integers(1, 40, blt.sum())

        pola = np.full(n, "", dtype=object)
        fraud = np.flatnonzero(yr.random(n) < rate)
        pola[fraud] = yr.choice(np.array(PATTERNS, dtype=object), fraud.size)
        for key in prices:
            marked = pola == "mark_up"
            prices[key][marked] *= yr.uniform(1.25, 1.8, marked.sum())
        fake = pola == "proyek_fiktif"
        realisation[fake] = yr.uniform(97, 100, fake.sum())
        progress[fake] = yr.uniform(15, 60, fake.sum())
        rushed = np.flatnonzero(pola == "percepatan_tahap")
        base = np.datetime64(f"{year}-12-01") + yr.integers(0, 10, rushed.size).astype(
            "timedelta64[D]"
        )
        stages[rushed, 0] = base
        stages[rushed, 1] = base + yr.integers(3, 10, rushed.size).astype("timedelta64[D]")
        if year < 2024:
            stages[rushed, 2] = stages[rushed, 1] + yr.integers(2, 8, rushed.size).astype(
                "timedelta64[D]"
            )

        invented = np.isin(owner, np.flatnonzero(pola == "angka_rekaan"))
        take = invented & (yr.random(owner.size) < 0.6)
        digit = yr.choice([1, 2, 5, 7, 8, 9], take.sum(), p=[0.1, 0.15, 0.3, 0.15, 0.15, 0.15])
        amounts[take] = (
            digit * 10 ** yr.integers(6, 8, take.sum()) * yr.choice([1.0, 1.5], take.sum())
        )
        item_lines = pd.DataFrame({"owner": owner, "nilai": amounts.astype(np.int64)})

        splits = np.flatnonzero(pola == "pemecahan")
        extra = []
        for village in splits:
            limit = THRESHOLDS[int(yr.integers(0, len(THRESHOLDS)))]
            k = int(yr.integers(3, 7))
            value = np.round(limit * yr.uniform(0.95, 0.998, k), -3)
            extra.append(pd.DataFrame({"owner": village, "nilai": value.astype(np.int64)}))
        # Year-end reports arrive in January-February; a copy arrives after its original.
        reported = np.datetime64(f"{year + 1}-01-05") + yr.integers(0, 50, n).astype(
            "timedelta64[D]"
        )
        copies = np.flatnonzero(pola == "laporan_identik")
        if copies.size:
            normal = np.flatnonzero(pola == "")
            sources = yr.choice(normal, copies.size, replace=False)
            item_lines = item_lines[~item_lines["owner"].isin(copies)]
            late = yr.integers(1, 20, copies.size).astype("timedelta64[D]")
            reported[copies] = reported[sources] + late
            for target, source in zip(copies, sources, strict=True):
                copied = item_lines[item_lines["owner"] == source].assign(owner=target)
                extra.append(copied)
        item_lines = pd.concat([item_lines, *extra], ignore_index=True)
        fingerprint = item_lines.groupby("owner")["nilai"].agg(
            lambda v: zlib.crc32(np.sort(v.to_numpy()).tobytes())
        )

        frame["tanggal_tahap_1"] = stages[:, 0]
        frame["tanggal_tahap_2"] = stages[:, 1]
        frame["tanggal_tahap_3"] = stages[:, 2]
        frame["realisasi_persen"] = np.round(realisation, 2)
        frame["fisik_persen"] = np.round(progress, 2)
        frame["indeks_harga"] = np.round(price_index, 4)
        for key, values in prices.items():
            frame[key] = np.round(values, -2).astype(np.int64)
        frame["kode_laporan"] = [f"{fingerprint.get(i, 0):08x}" for i in range(n)]
        frame["tanggal_laporan"] = reported
        frame["pola"] = pola.astype(str)
        frame["fraud"] = frame["pola"] != ""
        reports.append(frame)
        item_lines["kode_desa"] = frame["kode_desa"].to_numpy()[item_lines["owner"].to_numpy()]
        item_lines["tahun"] = year
        lines.append(item_lines.drop(columns="owner"))
    laporan = pd.concat(reports, ignore_index=True)
    rincian = pd.concat(lines, ignore_index=True).sort_values(["kode_desa", "tahun"], kind="stable")
    return VillageReports(laporan=laporan, rincian=rincian.reset_index(drop=True))
