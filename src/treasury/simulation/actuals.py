"""Latest actuals from the marts: the base posture, year-to-date realisation, monthly profile.

Reads the public mart ``mart_apbn_bulanan`` of the serving snapshot once per snapshot file
(national aggregates only). Without a snapshot everything falls back to the package's domain
history (:mod:`treasury.simulation.posture`, ``spending_cumulative_share``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from treasury import reference
from treasury.config import Settings, get_settings
from treasury.simulation.posture import (
    DEBT_ANCHOR_YEAR,
    Posture,
    budget_gdp,
    debt_before,
    domain_posture,
    kurs_of,
)
from treasury.warehouse.serving import current_snapshot, open_snapshot

#: Monthly spending weights (FACTS.md, %) when neither the marts nor the domain table say more.
SPENDING_WEIGHTS = (5, 5, 7, 8, 8, 8, 7, 7, 9, 12, 10, 15)
#: Revenue cumulative shares at three month ends (FACTS.md, 2024).
REVENUE_ANCHORS = {1: 0.076, 6: 0.465, 11: 0.877, 12: 1.0}


@dataclass(frozen=True)
class Actuals:
    """What the marts say: pagu and realisation per (year, month, pos, kelompok, subkelompok)."""

    snapshot: str | None
    pagu: dict[int, dict[tuple[str, str, str], float]] = field(default_factory=dict)
    monthly: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)
    months: dict[int, int] = field(default_factory=dict)
    utang: dict[int, float] = field(default_factory=dict)

    def posture(self, year: int) -> Posture:
        """The base posture of ``year``: the mart's pagu when present, else the domain one."""
        fallback = domain_posture(year)
        if year not in self.pagu:
            return fallback
        financing = {
            y: v
            for y, v in self.utang.items()
            if DEBT_ANCHOR_YEAR < y < year and self.months[y] == 12
        }
        return Posture(
            year,
            self.pagu[year],
            "mart_apbn_bulanan",
            budget_gdp(year),
            debt_before(year, financing),
            kurs_of(year - 1),
        )

    def profile(self, pos: str, before: int) -> np.ndarray:
        """Average cumulative share of the year reached at each month end (12 values)."""
        full = [
            m.cumsum() / m.sum()
            for (y, p), m in self.monthly.items()
            if p == pos and y < before and self.months.get(y) == 12 and m.sum() > 0
        ]
        if full:
            return np.mean(full, axis=0)
        return domain_profile(pos)

    def year_to_date(self, year: int, pos: str) -> tuple[int, float]:
        """Months with realisation in ``year`` and their total for ``pos`` (0, 0 when none)."""
        months = self.months.get(year, 0)
        series = self.monthly.get((year, pos))
        return (months, float(series[:months].sum())) if series is not None else (0, 0.0)


def domain_profile(pos: str) -> np.ndarray:
    """Cumulative monthly shares from the domain facts (spending table and FACTS.md weights)."""
    if pos == "pendapatan":
        months = sorted(REVENUE_ANCHORS)
        return np.interp(
            np.arange(1, 13), [0, *months], [0.0, *(REVENUE_ANCHORS[m] for m in months)]
        )
    weights = np.cumsum(SPENDING_WEIGHTS) / sum(SPENDING_WEIGHTS)
    table = reference.spending_cumulative_share().to_pylist()
    for month in range(1, 13):
        shares = [r["share_of_full_year"] for r in table if r["month_end"] == month]
        if shares:
            weights[month - 1] = float(np.mean(shares))
    return np.maximum.accumulate(weights)


_LOCK = threading.Lock()
_CACHE: dict[str, Actuals] = {}

_SQL = """
SELECT tahun, bulan, pos, kelompok, subkelompok,
       CAST(MAX(pagu) AS DOUBLE) / 1e12 AS pagu, CAST(SUM(realisasi) AS DOUBLE) / 1e12 AS realisasi
FROM mart_apbn_bulanan
GROUP BY ALL
"""


def load_actuals(settings: Settings | None = None) -> Actuals:
    """The actuals of the current serving snapshot (cached per snapshot), or empty ones."""
    settings = settings or get_settings()
    path = current_snapshot(settings)
    if path is None:
        return Actuals(None)
    key = str(path)
    with _LOCK:
        if key not in _CACHE:
            _CACHE.clear()
            _CACHE[key] = _read(settings, path)
        return _CACHE[key]


def _read(settings: Settings, path: Path) -> Actuals:
    con = open_snapshot(settings)
    try:
        rows = con.execute(_SQL).fetchall()
    finally:
        con.close()
    pagu: dict[int, dict[tuple[str, str, str], float]] = {}
    monthly: dict[tuple[int, str], np.ndarray] = {}
    months: dict[int, int] = {}
    utang: dict[int, float] = {}
    for tahun, bulan, pos, kelompok, sub, ceiling, real in rows:
        pagu.setdefault(tahun, {})[(pos, kelompok, sub)] = ceiling
        series = monthly.setdefault((tahun, pos), np.zeros(12))
        series[bulan - 1] += real
        months[tahun] = max(months.get(tahun, 0), bulan)
        if kelompok == "pembiayaan_utang":
            utang[tahun] = utang.get(tahun, 0.0) + real
    # a year whose pagu has no belanja line is not a budget we can start from
    pagu = {y: lines for y, lines in pagu.items() if any(k[0] == "belanja" for k in lines)}
    return Actuals(path.name, pagu, monthly, months, utang)
