"""Calibration to the Nota Keuangan sensitivity table, and that table as an output.

Each behavioural parameter of :class:`~treasury.simulation.engine.Parameters` is solved (secant
steps, a few passes) so that a one-at-a-time shock to the base year's budget assumptions moves
revenue or spending as the most recent vintage of ``reference.sensitivity()`` says, on the
posture of that vintage's budget year:

=====================  ==========================  ==========================
parameter              shock                       target
=====================  ==========================  ==========================
``beta_growth``        real GDP growth +0.1 pp     d_pendapatan
``beta_price``         inflation +0.1 pp           d_pendapatan
``reprice``            SBN 10y yield +0.1 pp       d_belanja
``usd_revenue``        IDR/USD depreciation Rp100  d_pendapatan
``usd_spending``       IDR/USD depreciation Rp100  d_belanja
``cost_recovery``      ICP +1 USD/bbl              d_pendapatan
``icp_passthrough``    ICP +1 USD/bbl              d_belanja
=====================  ==========================  ==========================

The zero cells of the table (growth and inflation on spending, the yield on revenue) are zero
by the model's structure in the budget year (DBH and DAU follow revenue a year late).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from treasury import reference
from treasury.simulation.assumptions import KEBIJAKAN, YEARS, budget_assumptions
from treasury.simulation.engine import Arrays, Parameters, project
from treasury.simulation.posture import Posture, domain_posture

#: Shock names of ``sensitivity.csv`` -> (assumption, size of the shock).
SHOCKS = {
    "real GDP growth": ("pertumbuhan_ekonomi", 0.1),
    "inflation": ("inflasi", 0.1),
    "SBN 10y yield": ("yield_sbn_10th", 0.1),
    "IDR/USD depreciation": ("kurs", 100.0),
    "ICP": ("icp", 1.0),
}
#: The shocks as the Nota Keuangan names them.
LABELS_ID = {
    "real GDP growth": "Pertumbuhan ekonomi",
    "inflation": "Inflasi",
    "SBN 10y yield": "Tingkat bunga SBN 10 tahun",
    "IDR/USD depreciation": "Nilai tukar (depresiasi Rp/USD)",
    "ICP": "Harga minyak mentah Indonesia (ICP)",
}
#: Parameter -> (shock, target column, lowest, highest), solved in this order.
FIT = {
    "beta_growth": ("real GDP growth", "d_pendapatan", 0.1, 2.5),
    "beta_price": ("inflation", "d_pendapatan", 0.1, 2.5),
    "reprice": ("SBN 10y yield", "d_belanja", 0.02, 0.9),
    "cost_recovery": ("ICP", "d_pendapatan", 0.0, 3.0),
    "icp_passthrough": ("ICP", "d_belanja", 0.1, 1.0),
    "usd_revenue": ("IDR/USD depreciation", "d_pendapatan", 0.0, 0.8),
    "usd_spending": ("IDR/USD depreciation", "d_belanja", -0.2, 0.8),
}
DEFAULT_LEVERS = {k: spec[0] for k, spec in KEBIJAKAN.items()}


@dataclass(frozen=True)
class Target:
    """One row of the sensitivity table (the most recent vintage of its shock)."""

    vintage: str
    year: int
    shock: str
    unit: str
    d_pendapatan: float
    d_belanja: float
    d_defisit: float


def targets() -> list[Target]:
    """The most recent vintage of each shock in ``reference.sensitivity()``, in table order."""
    best: dict[str, Target] = {}
    for row in reference.sensitivity().to_pylist():
        year = int(re.findall(r"\d{4}", row["vintage"])[0])
        if row["shock"] not in SHOCKS:
            continue
        if row["shock"] not in best or year > best[row["shock"]].year:
            best[row["shock"]] = Target(
                row["vintage"],
                year,
                row["shock"],
                row["unit"],
                float(row["d_pendapatan"]),
                float(row["d_belanja"]),
                float(row["d_defisit"]),
            )
    return [best[s] for s in SHOCKS if s in best]


def baseline_paths(base_year: int, draws: int = 1) -> tuple[Arrays, Arrays]:
    """The budget assumptions as ``(draws, years)`` paths and as ``(years,)`` baseline."""
    years = range(base_year, base_year + YEARS)
    per_year = [budget_assumptions(y) for y in years]
    baseline = {k: np.array([a[k] for a in per_year]) for k in per_year[0]}
    paths = {k: np.tile(v, (draws, 1)) for k, v in baseline.items()}
    return paths, baseline


def shock_effect(posture: Posture, shock: str, params: Parameters) -> tuple[float, float, float]:
    """(d_pendapatan, d_belanja, d_defisit) in the base year of a one-at-a-time shock."""
    key, size = SHOCKS[shock]
    paths, baseline = baseline_paths(posture.year)
    base = project(posture, paths, baseline, DEFAULT_LEVERS, params)
    shocked = dict(paths)
    shocked[key] = paths[key] + size
    moved = project(posture, shocked, baseline, DEFAULT_LEVERS, params)
    d = [float(moved[k][0, 0] - base[k][0, 0]) for k in ("pendapatan", "belanja", "defisit")]
    return d[0], d[1], d[2]


@cache
def calibrate() -> Parameters:
    """Parameters that reproduce the sensitivity table (cached: the table is package data)."""
    params = Parameters()
    rows = {t.shock: t for t in targets()}
    for _ in range(4):
        for name, (shock, column, low, high) in FIT.items():
            if shock not in rows:
                continue
            posture = domain_posture(rows[shock].year)
            want = getattr(rows[shock], column)
            index = 0 if column == "d_pendapatan" else 1
            p0 = getattr(params, name)
            p1 = p0 * 1.1 + 0.01
            f0, f1 = (
                shock_effect(posture, shock, replace(params, **{name: value}))[index]
                for value in (p0, p1)
            )
            if f1 == f0:
                continue
            solved = p0 + (want - f0) * (p1 - p0) / (f1 - f0)
            params = replace(params, **{name: float(np.clip(solved, low, high))})
    return params


def sensitivity_table(
    posture: Posture | None = None, params: Parameters | None = None
) -> list[dict[str, object]]:
    """The sensitivity table in the Nota Keuangan format, computed by the model.

    One row per shock: ``asumsi`` (shock), ``perubahan`` (unit), ``pendapatan_negara``,
    ``belanja_negara``, ``defisit`` (Rp T; positive defisit = a larger deficit), the published
    figure (``nota_keuangan``) and the relative gap. Each row is computed on the posture of its
    vintage's budget year unless ``posture`` is given.

    Examples
    --------
    >>> rows = sensitivity_table()
    >>> [(r["uraian"], r["belanja_negara"]) for r in rows][-1]
    ('Harga minyak mentah Indonesia (ICP)', 10.1)
    """
    params = params or calibrate()
    rows = []
    for t in targets():
        d_pdp, d_blj, d_def = shock_effect(posture or domain_posture(t.year), t.shock, params)
        rows.append(
            {
                "asumsi": t.shock,
                "uraian": LABELS_ID[t.shock],
                "perubahan": t.unit,
                "tahun_anggaran": (posture.year if posture else t.year),
                "pendapatan_negara": round(d_pdp, 2),
                "belanja_negara": round(d_blj, 2),
                "defisit": round(d_def, 2),
                "nota_keuangan": {
                    "vintage": t.vintage,
                    "pendapatan_negara": t.d_pendapatan,
                    "belanja_negara": t.d_belanja,
                    "defisit": t.d_defisit,
                },
            }
        )
    return rows
