"""Synthetic financial statements of about 100 state-owned enterprises (BUMN) over the years.

Each SOE has a sector and a hidden *health* that follows an AR(1) process with sector-wide
shocks (construction and transport suffer 2020-2023) and its own shocks; its statements are
drawn from that health (margins, liquidity, leverage, retained earnings that accumulate). About
40% carry government loans (subsidiary loan agreements, SLA, or investment fund accounts, RDI)
with yearly instalments due.

Payment failure (``gagal_bayar``) on SLA/RDI instalments is drawn from a documented latent
mechanism: the probability rises as the year's *realised* health falls and as instalments due
exceed the year's operating cash flow, neither of which is visible in the previous year's
statements. ``gagal_bayar_tahun_depan`` is next year's outcome: what the model predicts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.sources.seeds import stream

SECTORS = {
    "energi": 0.10,
    "infrastruktur": 0.12,
    "konstruksi": 0.12,
    "transportasi": 0.12,
    "manufaktur": 0.14,
    "pangan_perkebunan": 0.14,
    "telekomunikasi_media": 0.06,
    "jasa_keuangan_nonbank": 0.08,
    "farmasi_kesehatan": 0.06,
    "pariwisata": 0.06,
}
_NAMES = (
    "Adhi", "Bahari", "Cakra", "Dirgantara", "Energi", "Graha", "Hutama", "Indah", "Jaya",
    "Karya", "Lestari", "Mandala", "Nusantara", "Persada", "Rajawali", "Samudera", "Tirta",
    "Utama", "Wijaya", "Yasa",
)  # fmt: skip
_SECTOR_SHOCKS = {"konstruksi": (2020, 2023, -0.45), "transportasi": (2020, 2022, -0.6),
                  "pariwisata": (2020, 2021, -0.7)}  # fmt: skip


def _failure_probability(health: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """P(failure) from realised health and instalment cover (due / operating cash flow)."""
    strain = np.clip(cover - 0.6, 0.0, None)
    logit = -3.6 - 2.4 * health + 3.0 * strain
    return 1.0 / (1.0 + np.exp(-logit))


def generate_bumn(
    count: int = 100, seed: int = 7, first_year: int = 2015, last_year: int = 2025
) -> pd.DataFrame:
    """One row per SOE x year with the statement lines (rupiah) and the payment outcome."""
    rng = stream(seed, "bumn")
    sectors = rng.choice(list(SECTORS), size=count, p=list(SECTORS.values()))
    names = [
        f"PT {_NAMES[i % len(_NAMES)]} {_NAMES[(i * 7 + 3) % len(_NAMES)]} {s.split('_')[0].title()} (Persero)"
        for i, s in enumerate(sectors)
    ]
    size = rng.lognormal(np.log(2e13), 1.1, count)
    quality = rng.normal(0, 0.5, count)
    health = quality + rng.normal(0, 0.5, count)
    borrower = rng.random(count) < 0.4
    loan = np.where(borrower, size * rng.uniform(0.03, 0.2, count), 0.0)
    tenor = rng.integers(8, 16, count)
    retained = size * rng.normal(0.15, 0.1, count)
    rows = []
    for year in range(first_year, last_year + 1):
        shock = np.zeros(count)
        for sector, (start, end, effect) in _SECTOR_SHOCKS.items():
            if start <= year <= end:
                shock[sectors == sector] += effect * (1.0 if year == start else 0.5)
        health = 0.75 * health + 0.25 * quality + shock + rng.normal(0, 0.35, count)
        assets = size * 1.04 ** (year - first_year) * rng.lognormal(0, 0.03, count)
        revenue = assets * np.clip(rng.normal(0.55, 0.2, count), 0.1, 1.6)
        ebit = assets * (0.035 + 0.035 * health + rng.normal(0, 0.01, count))
        interest = np.maximum(loan, 0) * 0.06 + assets * 0.01
        net = (ebit - interest) * 0.78
        retained = retained + net * 0.6
        liabilities = assets * np.clip(0.55 - 0.08 * health + rng.normal(0, 0.05, count), 0.15, 1.4)
        current_assets = assets * np.clip(rng.normal(0.35, 0.08, count), 0.08, 0.8)
        current_liab = liabilities * np.clip(
            rng.normal(0.45, 0.08, count) - 0.05 * health, 0.1, 0.9
        )
        cash = current_assets * np.clip(rng.normal(0.3, 0.08, count) + 0.05 * health, 0.02, 0.8)
        receivables = revenue * np.clip(rng.normal(0.22, 0.06, count) - 0.03 * health, 0.02, 1.0)
        inventory = revenue * np.clip(rng.normal(0.15, 0.05, count), 0.0, 0.8)
        depreciation = assets * 0.03
        cfo = ebit + depreciation - interest + assets * rng.normal(0, 0.012, count)
        due = np.where(loan > 0, loan / tenor + loan * 0.06, 0.0)
        cover = np.divide(due, np.maximum(cfo, 1.0), out=np.zeros(count), where=due > 0)
        cover = np.where((due > 0) & (cfo <= 0), 5.0, cover)
        failure = (due > 0) & (rng.random(count) < _failure_probability(health, cover))
        frame = pd.DataFrame(
            {
                "kode_bumn": [f"BUMN{i + 1:03d}" for i in range(count)],
                "nama": names,
                "sektor": sectors,
                "tahun": year,
                "total_aset": assets,
                "aset_lancar": current_assets,
                "kas": cash,
                "piutang": receivables,
                "persediaan": inventory,
                "total_liabilitas": liabilities,
                "liabilitas_lancar": current_liab,
                "laba_ditahan": retained,
                "pendapatan": revenue,
                "ebit": ebit,
                "penyusutan": depreciation,
                "laba_bersih": net,
                "arus_kas_operasi": cfo,
                "pinjaman_sla_rdi": loan,
                "angsuran_jatuh_tempo": due,
                "skor_operasional": np.clip(
                    np.round(rng.normal(11 + 1.5 * quality, 1.5, count), 1), 0, 15
                ),
                "skor_administrasi": np.clip(
                    np.round(rng.normal(12 + 1.0 * quality, 1.2, count), 1), 0, 15
                ),
                "gagal_bayar": failure,
            }
        )
        money = [
            c for c in frame.columns if frame[c].dtype == np.float64 and not c.startswith("skor")
        ]
        frame[money] = np.round(frame[money] / 1e6) * 1e6
        rows.append(frame)
        loan = np.where(loan > 0, np.maximum(loan - loan / tenor, 0.0), 0.0)
    panel = pd.concat(rows, ignore_index=True).sort_values(
        ["kode_bumn", "tahun"], ignore_index=True
    )
    panel["gagal_bayar_tahun_depan"] = (
        panel.groupby("kode_bumn")["gagal_bayar"].shift(-1).astype("boolean")
    )
    return panel
