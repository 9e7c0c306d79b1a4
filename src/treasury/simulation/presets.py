"""Named scenarios: baseline (the budget assumptions) and adverse (a stress on all seven)."""

from __future__ import annotations

from typing import Any

from treasury.simulation.assumptions import YEARS, budget_assumptions

#: The adverse stress per assumption: additive (pp) or relative (factor).
ADVERSE = {
    "pertumbuhan_ekonomi": ("add", -1.5),
    "inflasi": ("add", 1.5),
    "kurs": ("mul", 1.10),
    "yield_sbn_10th": ("add", 1.0),
    "icp": ("mul", 1.25),
    "lifting_minyak": ("mul", 0.95),
    "lifting_gas": ("mul", 0.95),
}


def preset(
    jenis: str, tahun_dasar: int, draws: int = 10_000, seed: int = 20260101
) -> dict[str, Any]:
    """A scenario mapping for ``baseline`` or ``adverse`` (ready for ``parse_scenario``)."""
    if jenis == "baseline":
        return {
            "nama": "Baseline APBN",
            "jenis": "baseline",
            "tahun_dasar": tahun_dasar,
            "draws": draws,
            "seed": seed,
        }
    if jenis != "adverse":
        raise ValueError(f"no preset {jenis!r}: use baseline or adverse")
    asumsi = {}
    for year in range(tahun_dasar, tahun_dasar + YEARS):
        budget = budget_assumptions(year)
        asumsi[year] = {
            k: round(budget[k] + size if how == "add" else budget[k] * size, 2)
            for k, (how, size) in ADVERSE.items()
        }
    return {
        "nama": "Adverse",
        "jenis": "adverse",
        "tahun_dasar": tahun_dasar,
        "asumsi": asumsi,
        "draws": draws,
        "seed": seed,
    }
