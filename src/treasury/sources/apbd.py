"""Synthetic APBD panel: 546 Pemda (38 provinces + 508 kab/kota with a budget) over the years.

Each Pemda gets a persistent profile: its size, its mix of the twenty revenue components of the
distress form (numbered and named as in DJPb's form, :data:`COMPONENTS`), whether it borrows,
and a hidden *governance* score that the data never shows directly. Kota Surabaya's 2025 row is
the real example from DJPb's presentation (FACTS.md), the calibration point of a large city.

Distress label (documented latent mechanism, never a formula of the published columns): each
year's realised revenue is the budget times an unseen shock (each Pemda's own commodity
price on resource revenue sharing, DBH SDA, plus a Pemda shock); mandatory spending grows faster where governance is
weak; spending overruns where governance is weak; a borrower may fall into arrears when its
realised cover is thin. A Pemda is in distress in a year (``distress``) when any of:

- loan arrears over 90 days (then its DAU/DBH is intercepted, ``intersepsi``),
- realised DSCR below 2.5 (borrowers only; DSCR = (PAD + DBH + DAU - mandatory spending) /
  debt service due, PP 56/2018),
- a negative year-end balance with unpaid bills above 5% of spending.

``distress_tahun_depan`` is next year's label: what the model predicts from this year's budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.reference import pemda
from treasury.sources.seeds import stream

#: The twenty revenue components: (key, number, exact name in the form).
COMPONENTS: tuple[tuple[str, int, str], ...] = (
    ("pajak_daerah", 1, "Pendapatan Pajak Daerah"),
    ("retribusi_daerah", 2, "Pendapatan Retribusi Daerah"),
    ("kekayaan_dipisahkan", 3, "Pendapatan Hasil Pengelolaan Kekayaan Daerah yang Dipisahkan"),
    ("lain_pad", 4, "Lain-lain Pendapatan Asli Daerah yang Sah"),
    ("dbh_pajak", 5, "Dana Bagi Hasil Pajak"),
    ("dbh_sda", 6, "Dana Bagi Hasil Bukan Pajak/SDA"),
    ("dau", 7, "Dana Alokasi Umum"),
    ("dak", 8, "Dana Alokasi Khusus"),
    ("otsus", 9, "Dana Otonomi Khusus"),
    ("keistimewaan", 10, "Dana Keistimewaan"),
    ("penyesuaian", 11, "Dana Penyesuaian"),
    ("insentif_daerah", 12, "Dana Insentif Daerah"),
    ("dana_desa", 13, "Dana Desa"),
    ("bos", 14, "Dana Bantuan Operasional Sekolah"),
    ("bagi_hasil_pajak", 15, "Pendapatan Bagi Hasil Pajak"),
    ("bagi_hasil_lainnya", 16, "Pendapatan Bagi Hasil Lainnya"),
    ("otsus_kabkota", 17, "Pendapatan Dana Otonomi Khusus (Kab/Kota)"),
    ("bantuan_provinsi", 18, "Bantuan Keuangan dari Pemerintah Daerah Provinsi Lainnya"),
    ("bantuan_kabupaten", 19, "Bantuan Keuangan dari Pemerintah Daerah Kabupaten"),
    ("bantuan_kota", 20, "Bantuan Keuangan dari Pemerintah Daerah Kota Lainnya"),
)
COMPONENT_KEYS = [key for key, _, _ in COMPONENTS]
PAD = ["pajak_daerah", "retribusi_daerah", "kekayaan_dipisahkan", "lain_pad"]
DBH = ["dbh_pajak", "dbh_sda"]
#: Earmarked revenue left out of general revenue (penerimaan umum) for the 75% test.
EARMARKED = ["dak", "otsus", "keistimewaan", "dana_desa", "bos", "otsus_kabkota"]
EARMARKED += ["bantuan_provinsi", "bantuan_kabupaten", "bantuan_kota"]

#: The real example (FACTS.md): Kota Surabaya, rupiah, shown in DJPb's presentation.
SURABAYA = "3578"
SURABAYA_2025 = dict(
    zip(
        COMPONENT_KEYS,
        [
            3_648_730_000_000, 235_592_000_000, 190_861_000_000, 896_587_000_000,
            539_285_000_000, 63_749_700_000, 1_917_960_000_000, 394_147_000_000,
            0, 0, 0, 48_197_900_000, 0, 0, 1_013_860_000_000, 0, 0, 3_255_400_000, 0, 0,
        ],
        strict=True,
    )
)  # fmt: skip

# Mean share of each component in total revenue by type (unverified, shaped on FACTS.md: a
# kabupaten lives on transfers, a city on PAD, a province on motor-vehicle taxes).
_SHARES = {
    "kabupaten": [4, 1, 0.5, 4, 3, 3, 45, 15, 0, 0, 0.3, 1, 9, 0, 6, 0.2, 0, 2, 0, 0],
    "kota": [15, 2, 1, 6, 4, 1, 40, 10, 0, 0, 0.3, 1, 0, 0, 12, 0.2, 0, 2, 0, 0],
    "provinsi": [40, 0.5, 1.5, 5, 6, 4, 20, 12, 0, 0, 0.3, 0.5, 0, 8, 0, 0, 0, 0, 0, 0],
}
_SIZE = {"kabupaten": (1.4e12, 0.45), "kota": (1.3e12, 0.6), "provinsi": (8e12, 0.7)}
OTSUS_PROVINCES = {"11", "91", "92", "93", "94", "95", "96"}


def _profiles(seed: int) -> pd.DataFrame:
    table = pemda().to_pandas()
    rng = stream(seed, "apbd_profile")
    n = len(table)
    shares = np.array([_SHARES[kind] for kind in table["jenis"]], dtype=np.float64)
    shares *= rng.lognormal(0.0, 0.35, shares.shape)
    resource = rng.random(n) < 0.15
    shares[resource, 5] *= 8.0
    otsus = table["kode_provinsi"].isin(OTSUS_PROVINCES).to_numpy()
    province = (table["jenis"] == "provinsi").to_numpy()
    shares[otsus & province, 8] = 12.0
    shares[otsus & ~province, 16] = 6.0
    yogya = (table["kode_pemda"] == "3400").to_numpy()
    shares[yogya, 9] = 8.0
    shares[~province, 18] = np.where(rng.random((~province).sum()) < 0.05, 0.5, 0.0)
    shares[~province, 19] = np.where(rng.random((~province).sum()) < 0.03, 0.3, 0.0)
    shares /= shares.sum(axis=1, keepdims=True)
    centre = np.array([_SIZE[kind][0] for kind in table["jenis"]])
    spread = np.array([_SIZE[kind][1] for kind in table["jenis"]])
    total = centre * np.exp(rng.normal(0, 1, n) * spread)
    governance = rng.normal(0, 1, n)
    borrower = rng.random(n) < np.where(table["jenis"] == "kabupaten", 0.3, 0.45)
    table["total_2015"] = total
    table["governance"] = governance
    table["borrower"] = borrower
    table["pegawai_ratio"] = np.clip(0.55 - 0.07 * governance + rng.normal(0, 0.06, n), 0.3, 0.85)
    for i, key in enumerate(COMPONENT_KEYS):
        table[f"share_{key}"] = shares[:, i]
    surabaya = table["kode_pemda"] == SURABAYA
    example = np.array(list(SURABAYA_2025.values()), dtype=np.float64)
    table.loc[surabaya, [f"share_{k}" for k in COMPONENT_KEYS]] = example / example.sum()
    table.loc[surabaya, "total_2015"] = example.sum() / 1.055**10
    return table


def generate_apbd(seed: int = 7, first_year: int = 2015, last_year: int = 2025) -> pd.DataFrame:
    """The panel: one row per Pemda x year with the twenty components and the debt and outcome
    columns (see the module docstring); money in rupiah (int64)."""
    if last_year < first_year + 1:
        raise ValueError("need at least two years")
    profile = _profiles(seed)
    n = len(profile)
    rng = stream(seed, "apbd_years")
    shares = profile[[f"share_{k}" for k in COMPONENT_KEYS]].to_numpy()
    governance = profile["governance"].to_numpy()
    borrower = profile["borrower"].to_numpy()
    debt = np.where(borrower, profile["total_2015"].to_numpy() * rng.uniform(0.1, 0.9, n), 0.0)
    tenor = rng.integers(5, 11, n)
    pegawai_ratio = profile["pegawai_ratio"].to_numpy()
    silpa = profile["total_2015"].to_numpy() * rng.uniform(0.0, 0.08, n)
    rows = []
    for year in range(first_year, last_year + 1):
        years = year - first_year
        budget = profile["total_2015"].to_numpy() * 1.055**years * rng.lognormal(0, 0.03, n)
        parts = shares * budget[:, None] * rng.lognormal(0, 0.04, shares.shape)
        if year == 2025:
            surabaya = (profile["kode_pemda"] == SURABAYA).to_numpy()
            parts[surabaya] = np.array(list(SURABAYA_2025.values()), dtype=np.float64)
        parts = np.round(parts, -5)
        parts[shares == 0] = 0.0
        # New loans (more often where governance is weak), amortised over the tenor.
        new_loan = borrower & (rng.random(n) < 0.12 + 0.05 * np.clip(-governance, 0, None))
        debt = debt + np.where(new_loan, budget * rng.uniform(0.03, 0.15, n), 0.0)
        service = np.where(debt > 0, debt / tenor + debt * 0.065, 0.0)
        pad = parts[:, :4].sum(axis=1)
        dbh = parts[:, 4:6].sum(axis=1)
        dau = parts[:, 6]
        # Staff costs against PAD+DBH+DAU revert to a level set by governance (AR(1)).
        level = profile["pegawai_ratio"].to_numpy()
        pegawai_ratio = np.clip(
            level + 0.8 * (pegawai_ratio - level) + rng.normal(0, 0.02, n), 0.3, 0.95
        )
        mandatory = (pad + dbh + dau) * pegawai_ratio
        # Realised (unseen in the budget): the price of each Pemda's own commodity (coal, oil,
        # nickel...) moves DBH SDA; a Pemda shock moves the rest.
        commodity = np.clip(rng.lognormal(-0.08, 0.4, n), 0.2, 2.5)
        shock = rng.normal(0, 0.07, n) - 0.02 * np.clip(-governance, 0, None)
        real_base = (pad + dbh - parts[:, 5]) * (1 + shock) + parts[:, 5] * commodity + dau
        realised_mandatory = mandatory * (
            1 + np.clip(rng.normal(0.02 - 0.02 * governance, 0.03), -0.05, None)
        )
        dscr = np.where(
            service > 0, (real_base - realised_mandatory) / np.maximum(service, 1.0), np.inf
        )
        revenue = parts.sum(axis=1)
        realised_revenue = revenue + (real_base - (pad + dbh + dau))
        rigid = np.clip(pegawai_ratio - 0.6, 0.0, None)  # staff costs cannot be cut in a bad year
        spending = revenue * (0.96 + 0.5 * rigid**1.5 - 0.02 * governance + rng.normal(0, 0.03, n))
        balance = silpa + realised_revenue - spending - service
        unpaid = np.where(balance < 0, -balance * rng.uniform(0.8, 1.6, n), 0.0)
        stress = 1 / (1 + np.exp(np.clip(4 * (dscr - 1.5), -50, 50)))
        arrears = borrower & (rng.random(n) < stress * (0.6 - 0.15 * governance))
        intercept = arrears & (rng.random(n) < 0.7)
        distress = (
            arrears | (borrower & (dscr < 2.5)) | ((balance < 0) & (unpaid > 0.05 * spending))
        )
        frame = profile[["kode_pemda", "nama", "jenis", "kode_provinsi"]].copy()
        frame.insert(4, "tahun", year)
        for i, key in enumerate(COMPONENT_KEYS):
            frame[key] = parts[:, i].astype(np.int64)
        frame["belanja_pegawai"] = np.round(mandatory, -6).astype(np.int64)
        frame["pokok_dan_bunga"] = np.round(service, -6).astype(np.int64)
        frame["sisa_pinjaman"] = np.round(debt, -6).astype(np.int64)
        frame["dscr_realisasi"] = np.where(np.isfinite(dscr), np.round(dscr, 3), np.nan)
        frame["tunggakan_90_hari"] = arrears
        frame["intersepsi"] = intercept
        frame["saldo_akhir"] = np.round(balance, -6).astype(np.int64)
        frame["tagihan_belum_dibayar"] = np.round(unpaid, -6).astype(np.int64)
        frame["distress"] = distress
        rows.append(frame)
        debt = np.maximum(debt - debt / tenor, 0.0)
        silpa = np.maximum(balance, 0.0)
    panel = pd.concat(rows, ignore_index=True).sort_values(
        ["kode_pemda", "tahun"], ignore_index=True
    )
    nxt = panel.groupby("kode_pemda")["distress"].shift(-1)
    panel["distress_tahun_depan"] = nxt.astype("boolean")
    return panel
