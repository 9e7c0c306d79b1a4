"""The base-year budget posture the projection starts from, and the debt stock before it.

The posture is the budget (pagu) of the base year per line, Rp T: from ``mart_apbn_bulanan`` in
the serving snapshot when the snapshot holds that year, else from the package's calibrated
budget targets (:func:`treasury.sources.calibration.budget_targets`, built on
``reference.apbn_annual``). Both have the same lines (pos x kelompok x subkelompok).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import pyarrow.compute as pc

from treasury import reference
from treasury.sources.calibration import budget_targets

#: Government debt at the end of 2024, Rp T (APBN KiTa, January 2025; unverified here).
DEBT_END_2024 = 8801.09
DEBT_ANCHOR_YEAR = 2024
#: Share of the debt stock in foreign currency (SBN valas + foreign loans; unverified).
FOREIGN_SHARE = 0.29
#: Share of new debt financing raised in foreign currency (unverified).
FOREIGN_SHARE_NEW = 0.15
#: Share of PPh that is oil and gas income tax (2023 targets, FACTS.md: 61.44 of 935.06).
PPH_MIGAS_SHARE = 61.44 / 935.06
#: Energy compensation paid to Pertamina/PLN per rupiah of energy subsidy (APBN 2025:
#: subsidy 203.4, compensation 190.9; medium confidence). Carried inside ``belanja_lain``.
KOMPENSASI_RATIO = 0.94
#: Share of PNBP oil and gas that goes back to the regions as DBH (15.5% oil, 30.5% gas).
DBH_MIGAS_SHARE = 0.2
#: Years a base year may be: those with a budget law row and macro assumptions.
FIRST_BASE_YEAR = 2022
LAST_BASE_YEAR = 2026


@dataclass(frozen=True)
class Posture:
    """The budget of one year by line, Rp T, and where it came from.

    ``lines`` maps ``(pos, kelompok, subkelompok)`` to the ceiling; ``source`` is
    ``"mart_apbn_bulanan"`` or ``"apbn_annual"``; ``gdp`` the budget's nominal GDP;
    ``debt_before`` the debt stock at the end of the previous year.
    """

    year: int
    lines: dict[tuple[str, str, str], float]
    source: str
    gdp: float
    debt_before: float
    kurs_before: float
    notes: list[str] = field(default_factory=list)

    def kelompok(self, pos: str, kelompok: str) -> float:
        """The ceiling of one kelompok (sum of its subkelompok)."""
        return sum(v for (p, k, _), v in self.lines.items() if p == pos and k == kelompok)

    def line(self, pos: str, kelompok: str, subkelompok: str) -> float:
        """One line's ceiling (0 when absent)."""
        return self.lines.get((pos, kelompok, subkelompok), 0.0)

    def total(self, pos: str) -> float:
        """Total of ``pendapatan``, ``belanja`` or ``pembiayaan``."""
        return sum(v for (p, _, _), v in self.lines.items() if p == pos)


def _annual_row(year: int, vintages: tuple[str, ...]) -> dict[str, float | None] | None:
    table = reference.apbn_annual()
    for vintage in vintages:
        rows = table.filter((pc.field("year") == year) & (pc.field("vintage") == vintage))
        if rows.num_rows:
            return rows.to_pylist()[0]
    return None


def budget_gdp(year: int) -> float:
    """Nominal GDP behind the budget of ``year`` (deficit / deficit ratio of its law), Rp T."""
    row = _annual_row(year, ("B",))
    if row is None or not row.get("defisit") or not row.get("defisit_pct_gdp"):
        raise ValueError(f"no budget law with a deficit ratio for {year}")
    return float(row["defisit"]) / float(row["defisit_pct_gdp"]) * 100.0  # type: ignore[arg-type]


def realised_deficit(year: int) -> float:
    """The deficit of ``year``: audited, else preliminary, else the budget (Rp T)."""
    row = _annual_row(year, ("A", "P", "B"))
    if row is None or row.get("defisit") is None:
        raise ValueError(f"no deficit known for {year}")
    return float(row["defisit"])  # type: ignore[arg-type]


def kurs_of(year: int) -> float:
    """The year's average IDR/USD: the outcome when known, else the budget assumption."""
    outcomes = reference.macro_outcomes()
    rows = outcomes.filter(pc.field("year") == year)
    if rows.num_rows and rows["idr_usd_avg"][0].as_py():
        return float(rows["idr_usd_avg"][0].as_py())
    assumed = reference.macro_assumptions().filter(pc.field("year") == year)
    return float(assumed["idr_usd"][0].as_py())


def debt_before(year: int, financing: dict[int, float] | None = None) -> float:
    """Debt at the end of ``year - 1``: the end-2024 stock rolled forward with each deficit.

    ``financing`` overrides the deficit of a year with its realised debt financing (from the
    marts); the foreign-currency part is revalued with the exchange rate.
    """
    debt = DEBT_END_2024
    for y in range(DEBT_ANCHOR_YEAR + 1, year):
        flow = (financing or {}).get(y, realised_deficit(y))
        revaluation = debt * FOREIGN_SHARE * (kurs_of(y) / kurs_of(y - 1) - 1.0)
        debt += flow + revaluation
    for y in range(year, DEBT_ANCHOR_YEAR + 1):  # base years before the anchor: roll back
        debt -= realised_deficit(y)
    return debt


@cache
def domain_posture(year: int) -> Posture:
    """The posture of ``year`` from the package's budget targets (no snapshot needed)."""
    check_base_year(year)
    lines: dict[tuple[str, str, str], float] = defaultdict(float)
    for t in budget_targets(year):
        lines[(t.pos, t.kelompok, t.subkelompok)] += t.nilai / 1e12
    return Posture(
        year,
        dict(lines),
        "apbn_annual",
        budget_gdp(year),
        debt_before(year),
        kurs_of(year - 1),
    )


def check_base_year(year: int) -> None:
    """Raise ``ValueError`` unless a posture can be built for ``year``."""
    if not FIRST_BASE_YEAR <= year <= LAST_BASE_YEAR:
        raise ValueError(
            f"tahun_dasar must be between {FIRST_BASE_YEAR} and {LAST_BASE_YEAR} "
            "(years with a budget law and macro assumptions)"
        )
