"""Current-year landing: year-to-date actuals plus the scenario for the remaining months.

For the base year, revenue and spending realised up to the last month in ``mart_apbn_bulanan``
are kept; the rest of the year is the scenario's annual figure times the share of the year that
history says is still to come (average cumulative monthly profile of the complete years).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from treasury.simulation.actuals import Actuals
from treasury.simulation.montecarlo import fan
from treasury.simulation.rules import DEFICIT_LIMIT


def landing(
    actuals: Actuals,
    year: int,
    projected: dict[str, np.ndarray],
    draws: dict[str, np.ndarray] | None = None,
) -> dict[str, Any] | None:
    """The year-end outlook of ``year`` (first projected year), or None without actuals.

    ``projected`` holds the central path (``(1, years)`` arrays); with Monte Carlo ``draws``
    the outlook also gets the quantiles of its deficit ratio and the probability of breaking 3%.
    Amounts Rp T.
    """
    months, _ = actuals.year_to_date(year, "belanja")
    if months == 0 or months >= 12:
        return None
    out: dict[str, Any] = {"tahun": year, "bulan_realisasi": months, "sumber": actuals.snapshot}
    pdb = float(projected["pdb"][0, 0])
    ends = {}
    for pos in ("pendapatan", "belanja"):
        _, ytd = actuals.year_to_date(year, pos)
        share = float(actuals.profile(pos, year)[months - 1])
        if draws is not None:
            ends[pos] = ytd + draws[pos][:, 0] * (1.0 - share)
        annual = float(projected[pos][0, 0])
        remaining = annual * (1.0 - share)
        out[pos] = {
            "realisasi_sd_bulan": round(ytd, 2),
            "porsi_historis_sd_bulan": round(share, 4),
            "sisa_tahun_skenario": round(remaining, 2),
            "proyeksi_akhir_tahun": round(ytd + remaining, 2),
            "skenario_setahun": round(annual, 2),
        }
    defisit = out["belanja"]["proyeksi_akhir_tahun"] - out["pendapatan"]["proyeksi_akhir_tahun"]
    out["defisit"] = round(defisit, 2)
    out["defisit_pct_pdb"] = round(defisit / pdb * 100.0, 3)
    if draws is not None:
        ratio = (ends["belanja"] - ends["pendapatan"]) / draws["pdb"][:, 0] * 100.0
        out["kuantil_defisit_pct_pdb"] = {k: v[0] for k, v in fan(ratio[:, None]).items()}
        out["prob_defisit_di_atas_3pct"] = round(float(np.mean(ratio > DEFICIT_LIMIT)), 4)
    return out
