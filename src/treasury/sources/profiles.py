"""Monthly profiles: how each subkelompok's annual target spreads over the twelve months.

Total spending (belanja = central spending + TKD) follows ``spending_cumulative_share.csv``
exactly at the month ends it gives; between them, and in years it does not cover, it follows
the FACTS.md weights (Jan 5, Feb 5, Mar 7, Apr 8, May 8, Jun 8, Jul 7, Aug 7, Sep 9, Oct 12,
Nov 10, Dec 15). Within that total each subkelompok has its own shape:

- salaries, allowances and pensions are flat with a bump for THR (the month before Idul Fitri)
  and one for the 13th salary; interest is flat;
- TKD follows its disbursement rules (DAU monthly, DBH quarterly, DAK by stages:
  :data:`TKD_MONTHS`; Dana Desa by village stages, kept exactly);
- goods, capital (30-40% in Q4), subsidies, grants, social aid and other spending start from
  their own back-loaded shapes.

All rows are then fitted together (IPF with a per-kelompok elasticity: how far a row bends
towards the total profile) so that they hit the total profile while keeping their character.

Revenue follows its own total profile (2024 anchors of FACTS.md: 7.6% by January, 46.5% by June,
87.7% by November) with PPh bumps in March-April (annual returns) and dividends in April-June.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from treasury import reference
from treasury.sources.allocate import FloatArray, IntArray, allocate, ipf
from treasury.sources.calibration import Target, annual_targets

SPENDING_WEIGHTS = (5, 5, 7, 8, 8, 8, 7, 7, 9, 12, 10, 15)
REVENUE_WEIGHTS = (7.6, 6.2, 8.5, 9.0, 7.5, 7.7, 7.8, 7.8, 7.6, 8.6, 9.4, 12.3)
REVENUE_ANCHORS = {2024: {1: 0.076, 6: 0.465, 11: 0.877}}
# Month of the THR and of the 13th salary (THR follows Idul Fitri).
THR_MONTH = {2019: 5, 2020: 5, 2021: 5, 2022: 4, 2023: 4, 2024: 4, 2025: 3, 2026: 3}
SALARY13_MONTH = {2019: 7, 2020: 8}
_BACK = (3, 4, 6, 7, 7, 8, 8, 8, 9, 11, 12, 17)
_SHAPES: dict[str, tuple[float, ...]] = {
    "belanja_barang": _BACK,
    "belanja_modal": (3, 4, 6, 7, 8, 9, 9, 9, 10, 10, 10, 15),
    "bunga": (8, 8, 9, 8, 8, 9, 8, 8, 9, 8, 8, 9),
    "subsidi": (4, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 13),
    "hibah": (3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 12, 19),
    "bansos": (12, 6, 7, 12, 7, 8, 11, 6, 7, 10, 6, 8),
    "belanja_lain": (2, 3, 4, 5, 6, 7, 7, 8, 9, 11, 13, 25),
}
_REVENUE_SHAPES: dict[str, tuple[float, ...]] = {
    "pph": (7.5, 6.5, 10.5, 10.5, 7, 7, 7.5, 7.5, 7.5, 8, 8.5, 12.5),
    "ppn": (9, 7, 7.5, 8, 7.5, 7.8, 8, 8, 8, 8.5, 9, 11.5),
    "pbb": (2, 2, 3, 4, 5, 6, 8, 15, 20, 12, 10, 13),
    "knd": (0.5, 0.5, 2, 20, 30, 30, 5, 3, 3, 3, 2, 1),
    "pnbp_lainnya": (6, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9, 13),
    "hibah": (4, 5, 6, 7, 7, 8, 8, 8, 9, 10, 11, 17),
}
# TKD disbursement months and shares per jenis (rules of the synthetic TKD system).
TKD_MONTHS: dict[str, dict[int, float]] = {
    "dau": dict.fromkeys(range(1, 13), 1 / 12),
    "dbh": {3: 0.2, 6: 0.25, 9: 0.25, 12: 0.3},
    "dak_fisik": {5: 0.25, 8: 0.35, 11: 0.25, 12: 0.15},
    "dak_nonfisik": {3: 0.30, 6: 0.25, 9: 0.25, 11: 0.20},
    "otsus": {4: 0.30, 7: 0.45, 10: 0.25},
    "insentif_fiskal": {6: 0.5, 11: 0.5},
}
# How strongly each kelompok follows the total profile when fitted (0 = keeps its own shape,
# 1 = plain IPF): salaries and interest stay nearly flat, capital keeps most of its back-loaded
# shape, other spending (reserves, settlements) takes most of the year-end spike.
_ELASTICITY = {
    "belanja_pegawai": 0.15,
    "bunga": 0.3,
    "tkd": 0.6,
    "belanja_modal": 0.25,
    "belanja_barang": 0.8,
    "bansos": 0.6,
    "belanja_lain": 2.5,
}


def dana_desa_stages(year: int) -> list[tuple[float, dict[int, float]]]:
    """Dana Desa stages of ``year``: (share of the village's allocation, month weights).

    20/40/40 in 2018-2019, 40/40/20 in 2020-2023 and 40/60 from 2024 (independent villages
    60/40, handled in :mod:`treasury.sources.tkd`).
    """
    early: dict[int, float] = {2: 2.0, 3: 4.0, 4: 3.0, 5: 2.0, 6: 1.0}
    if year <= 2019:
        return [
            (0.2, {3: 3.0, 4: 4.0, 5: 2.0, 6: 1.0}),
            (0.4, {6: 2, 7: 4, 8: 3}),
            (0.4, {9: 1, 10: 3, 11: 4, 12: 2}),
        ]
    if year <= 2023:
        return [
            (0.4, early),
            (0.4, {5: 2.0, 6: 4.0, 7: 3.0, 8: 2.0, 9: 1.0}),
            (0.2, {8: 1, 9: 2, 10: 3, 11: 4, 12: 3}),
        ]
    return [(0.4, early), (0.6, {6: 1, 7: 2, 8: 3, 9: 3, 10: 2, 11: 2, 12: 1})]


def _normalised(weights: dict[int, float]) -> FloatArray:
    out = np.zeros(12)
    for month, w in weights.items():
        out[month - 1] = w
    return out / out.sum()


def tkd_shape(jenis: str, year: int) -> FloatArray:
    """Expected monthly shares of one TKD jenis (Dana Desa: its stage windows)."""
    if jenis == "dana_desa":
        return sum(
            (share * _normalised(months) for share, months in dana_desa_stages(year)),
            start=np.zeros(12),
        )
    return _normalised(TKD_MONTHS[jenis])


def _anchored(weights: tuple[float, ...], anchors: dict[int, float]) -> FloatArray:
    """Monthly shares through the cumulative ``anchors``, spread by ``weights`` in between."""
    w = np.asarray(weights, dtype=np.float64)
    points = {0: 0.0, **anchors, 12: 1.0}
    ends = sorted(points)
    out = np.zeros(12)
    for a, b in itertools.pairwise(ends):
        out[a:b] = (points[b] - points[a]) * w[a:b] / w[a:b].sum()
    return out


def spending_profile(year: int) -> FloatArray:
    """Monthly shares of total belanja in ``year`` (sum 1).

    Examples
    --------
    >>> round(float(spending_profile(2024)[:11].sum()), 3)
    0.864
    """
    anchors = {
        int(r["month_end"]): float(r["share_of_full_year"])
        for r in reference.spending_cumulative_share().to_pylist()
        if int(r["year"]) == year
    }
    return _anchored(SPENDING_WEIGHTS, dict(sorted(anchors.items())))


def revenue_profile(year: int) -> FloatArray:
    """Monthly shares of total pendapatan in ``year`` (sum 1)."""
    return _anchored(REVENUE_WEIGHTS, REVENUE_ANCHORS.get(year, {}))


def _salary_shape(year: int, bump: float) -> FloatArray:
    shape = np.ones(12)
    shape[THR_MONTH.get(year, 3) - 1] += bump
    shape[SALARY13_MONTH.get(year, 6) - 1] += bump
    return shape


def _seed(target: Target, year: int) -> FloatArray:
    if target.kelompok == "tkd":
        return tkd_shape(target.subkelompok, year)
    if target.kelompok == "belanja_pegawai":
        return _salary_shape(year, 0.5 if target.subkelompok == "honorarium" else 1.0)
    if target.pos == "pendapatan":
        shape = _REVENUE_SHAPES.get(target.subkelompok, REVENUE_WEIGHTS)
    else:
        shape = _SHAPES[target.kelompok]
    return np.asarray(shape, dtype=np.float64)


@cache
def monthly_targets(year: int, pos: str) -> tuple[tuple[Target, ...], IntArray]:
    """Annual targets of one pos (pendapatan or belanja) spread over the months of ``year``.

    Returns
    -------
    tuple
        (targets, matrix): ``matrix[i, m]`` is the rupiah of ``targets[i]`` in month ``m + 1``;
        each row sums exactly to ``targets[i].nilai``.

    Examples
    --------
    >>> targets, matrix = monthly_targets(2023, "belanja")
    >>> bool((matrix.sum(axis=1) == [t.nilai for t in targets]).all())
    True
    """
    targets = tuple(t for t in annual_targets(year) if t.pos == pos)
    values = np.array([t.nilai for t in targets], dtype=np.float64)
    seeds = np.array([_seed(t, year) for t in targets])
    seeds = seeds / seeds.sum(axis=1, keepdims=True)
    total_profile = spending_profile(year) if pos == "belanja" else revenue_profile(year)
    elasticity = np.array(
        [0.0 if t.subkelompok == "dana_desa" else _ELASTICITY.get(t.kelompok, 1.0) for t in targets]
    )
    fitted = seeds * values[:, None]
    flex = elasticity > 0
    cols = total_profile * values.sum() - fitted[~flex].sum(axis=0)
    if np.any(cols <= 0):
        raise ValueError(f"fixed rows exceed the {pos} profile of {year}")
    fitted[flex] = ipf(fitted[flex], values[flex], cols, elasticity=elasticity[flex])
    matrix = np.array(
        [allocate(t.nilai, row) for t, row in zip(targets, fitted, strict=True)], dtype=np.int64
    )
    return targets, matrix
