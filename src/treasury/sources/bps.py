"""BPS and Bank Indonesia statistics: ``bps_makro`` and ``bps_indikator_provinsi``.

Macro series agree with ``reference.macro_outcomes()`` (GDP, growth, December inflation, average
exchange rate) for 2019-2024; later years follow ``macro_assumptions()``. Monthly paths are
smooth random walks bent to hit the annual figure (the annual value is the December value for
inflation and the BI rate, the average otherwise). Series the reference tables do not give
(BI rate, SBN yield, ICP, lifting outcomes, quarterly growth) use approximate published values
(**unverified**). Only periods that ended before the as-of date are published.

Provincial indicators start from the 2023 profiles of :mod:`treasury.sources.provinces` and
move with plausible trends (population +1.1% a year, HDI +0.6 a year, life expectancy with a
2020-2021 dip, trade with the commodity cycle).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from treasury import reference
from treasury.sources.provinces import BASE_YEAR, profiles
from treasury.sources.run import Run
from treasury.sources.schemas import conform
from treasury.sources.seeds import stream

# Annual values that the reference tables do not hold (approximate, unverified).
_ANNUAL: dict[str, dict[int, float]] = {
    "yield_sbn_10th": {2019: 7.6, 2020: 7.0, 2021: 6.4, 2022: 7.0, 2023: 6.6, 2024: 6.9, 2025: 6.7, 2026: 6.5},
    "icp": {2019: 62.4, 2020: 40.4, 2021: 68.5, 2022: 97.0, 2023: 78.4, 2024: 78.7, 2025: 68.0, 2026: 66.0},
    "lifting_minyak": {2019: 746, 2020: 707, 2021: 660, 2022: 612, 2023: 605, 2024: 580, 2025: 605, 2026: 610},
    "lifting_gas": {2019: 1060, 2020: 983, 2021: 995, 2022: 953, 2023: 960, 2024: 970, 2025: 1005, 2026: 984},
}  # fmt: skip
# BI rate at the end of each month (percent), from the policy decisions.
_BI_RATE: dict[int, tuple[float, ...]] = {
    2019: (6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 5.75, 5.5, 5.25, 5.0, 5.0, 5.0),
    2020: (5.0, 4.75, 4.5, 4.5, 4.5, 4.25, 4.0, 4.0, 4.0, 4.0, 3.75, 3.75),
    2021: (3.75, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5),
    2022: (3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.75, 4.25, 4.75, 5.25, 5.5),
    2023: (5.75, 5.75, 5.75, 5.75, 5.75, 5.75, 5.75, 5.75, 5.75, 6.0, 6.0, 6.0),
    2024: (6.0, 6.0, 6.0, 6.25, 6.25, 6.25, 6.25, 6.25, 6.0, 6.0, 6.0, 6.0),
    2025: (5.75, 5.75, 5.75, 5.75, 5.5, 5.5, 5.25, 5.0, 4.75, 4.75, 4.75, 4.75),
}
_QUARTERLY_GROWTH = {
    2019: (5.07, 5.05, 5.01, 4.96), 2020: (2.97, -5.32, -3.49, -2.17),
    2021: (-0.70, 7.07, 3.51, 5.02), 2022: (5.01, 5.44, 5.72, 5.01),
    2023: (5.04, 5.17, 4.94, 5.04), 2024: (5.11, 5.05, 4.95, 5.02),
}  # fmt: skip
_GDP_QUARTER_SHARE = np.array([0.240, 0.248, 0.257, 0.255])
_UNITS = {
    "pdb_nominal": "triliun_rupiah",
    "pertumbuhan_pdb": "persen",
    "inflasi_yoy": "persen",
    "kurs_usd": "rupiah_per_usd",
    "bi_rate": "persen",
    "yield_sbn_10th": "persen",
    "icp": "usd_per_barel",
    "lifting_minyak": "ribu_barel_per_hari",
    "lifting_gas": "ribu_setara_barel_minyak_per_hari",
}
_TRADE_CYCLE = {2019: 0.75, 2020: 0.7, 2021: 0.95, 2022: 1.2, 2023: 1.0, 2024: 1.0}


def _annual(year: int) -> dict[str, float]:
    """Annual values of every series for ``year`` (outcomes, else assumptions, else trend)."""
    outcomes = {int(r["year"]): r for r in reference.macro_outcomes().to_pylist()}
    assumptions = {int(r["year"]): r for r in reference.macro_assumptions().to_pylist()}
    known = max(outcomes)
    if year in outcomes:
        o = outcomes[year]
        growth, inflation, kurs, gdp = (
            o["gdp_growth_real"],
            o["inflation_dec_yoy"],
            o["idr_usd_avg"],
            o["gdp_nominal"],
        )
    else:
        a = assumptions.get(year) or assumptions[max(assumptions)]
        growth, inflation, kurs = a["gdp_growth"], a["inflation"], a["idr_usd"]
        previous = (
            _annual(year - 1)
            if year - 1 > known
            else {"pdb_nominal": outcomes[known]["gdp_nominal"]}
        )
        gdp = previous["pdb_nominal"] * (1 + (growth + inflation) / 100)
    last = max(_BI_RATE)
    values = {
        "pdb_nominal": float(gdp),
        "pertumbuhan_pdb": float(growth),
        "inflasi_yoy": float(inflation),
        "kurs_usd": float(kurs),
        "bi_rate": _BI_RATE.get(year, _BI_RATE[last])[-1],
    }
    for series, table in _ANNUAL.items():
        values[series] = float(table.get(year, table[max(table)]))
    return values


def _monthly_path(
    rng: np.random.Generator, start: float, end: float, mean: float | None, volatility: float
) -> np.ndarray:
    """Twelve monthly values: a random walk from ``start`` bent to end at ``end`` (or to
    average ``mean``)."""
    walk = np.cumsum(rng.normal(0.0, volatility, 12))
    if mean is not None:
        return mean + walk - walk.mean()
    bridge = walk - np.arange(1, 13) / 12 * walk[-1]
    return start + (end - start) * np.arange(1, 13) / 12 + bridge


def bps_makro(run: Run, year: int) -> pa.Table:
    """The macro series' periods in ``year`` that ended before the as-of date."""
    rng = stream(run.seed, "bps_makro", year)
    a = _annual(year)
    before = _annual(year - 1) if year > 2019 else a
    rows: list[tuple[str, str, dt.date, float]] = []
    monthly = {
        "inflasi_yoy": _monthly_path(rng, before["inflasi_yoy"], a["inflasi_yoy"], None, 0.25),
        "kurs_usd": _monthly_path(rng, 0, 0, a["kurs_usd"], a["kurs_usd"] * 0.01),
        "bi_rate": np.array(_BI_RATE.get(year, _BI_RATE[max(_BI_RATE)])),
        "yield_sbn_10th": _monthly_path(rng, 0, 0, a["yield_sbn_10th"], 0.12),
        "icp": _monthly_path(rng, 0, 0, a["icp"], a["icp"] * 0.04),
        "lifting_minyak": _monthly_path(rng, 0, 0, a["lifting_minyak"], 6.0),
        "lifting_gas": _monthly_path(rng, 0, 0, a["lifting_gas"], 8.0),
    }
    for series, path in monthly.items():
        rows += [
            (series, "M", dt.date(year, m, 1), round(float(v), 4)) for m, v in enumerate(path, 1)
        ]
    growth = _QUARTERLY_GROWTH.get(year) or tuple(a["pertumbuhan_pdb"] + rng.normal(0, 0.08, 4))
    shares = _GDP_QUARTER_SHARE * rng.lognormal(0, 0.004, 4)
    gdp_q = a["pdb_nominal"] * shares / shares.sum()
    for q in range(4):
        start = dt.date(year, 3 * q + 1, 1)
        rows += [("pertumbuhan_pdb", "Q", start, round(float(growth[q]), 2))]
        rows += [("pdb_nominal", "Q", start, round(float(gdp_q[q]), 1))]
    for series, value in a.items():
        rows.append((series, "A", dt.date(year, 1, 1), round(value, 4)))
    published = [r for r in rows if _period_end(r[1], r[2]) < run.as_of]
    published.sort(key=lambda r: (r[0], r[1], r[2]))
    return conform(
        "bps_makro",
        {
            "kode_seri": [r[0] for r in published],
            "frekuensi": [r[1] for r in published],
            "periode": [r[2] for r in published],
            "nilai": [r[3] for r in published],
            "satuan": [_UNITS[r[0]] for r in published],
        },
    )


def _period_end(frequency: str, start: dt.date) -> dt.date:
    months = {"M": 1, "Q": 3, "A": 12}[frequency]
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def bps_indikator(run: Run, year: int) -> pa.Table:
    """Provincial indicators of ``year`` (published once the year is over)."""
    p = profiles()
    rng = stream(run.seed, "bps_indikator_provinsi", year)
    t = year - BASE_YEAR
    n = len(p.kode)
    covid = {2020: -0.4, 2021: -0.8}.get(year, 0.0)
    values = {
        "penduduk": (p.penduduk * 1000 * 1.011**t * rng.lognormal(0, 0.002, n), "jiwa"),
        "ipm": (np.minimum(p.ipm + 0.6 * t + rng.normal(0, 0.1, n), 90.0), "indeks"),
        "angka_harapan_hidup": (p.ahh + 0.15 * t + covid + rng.normal(0, 0.05, n), "tahun"),
        "gini": (np.clip(p.gini + rng.normal(0, 0.005, n), 0.2, 0.5), "rasio"),
        "ekspor": (p.ekspor * _TRADE_CYCLE.get(year, 1.02) * rng.lognormal(0, 0.08, n), "juta_usd"),
        "impor": (p.impor * _TRADE_CYCLE.get(year, 1.02) * rng.lognormal(0, 0.06, n), "juta_usd"),
    }
    published = year < run.as_of.year
    names = sorted(values) if published else []
    return conform(
        "bps_indikator_provinsi",
        {
            "tahun": np.full(n * len(names), year, dtype=np.int16),
            "kode_provinsi": list(p.kode) * len(names),
            "indikator": [k for k in names for _ in range(n)],
            "nilai": np.concatenate([np.round(values[k][0], 3) for k in names]) if names else [],
            "satuan": [values[k][1] for k in names for _ in range(n)],
        },
    )
