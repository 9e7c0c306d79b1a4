"""Current-year landing: year-to-date actuals plus the scenario for the remaining months.

For the base year, revenue and spending realised up to the last month in ``mart_apbn_bulanan``
are kept; the rest of the year is the scenario's annual figure times the share of the year that
history says is still to come (average cumulative monthly profile of the complete years).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from treasury.simulation.actuals import Actuals


def landing(actuals: Actuals, year: int, projected: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """The year-end outlook of ``year`` (first projected year), or None without actuals.

    ``projected`` holds ``(draws, years)`` arrays of the scenario; the first draw is the
    central path. Amounts Rp T.
    """
    months, _ = actuals.year_to_date(year, "belanja")
    if months == 0 or months >= 12:
        return None
    out: dict[str, Any] = {"tahun": year, "bulan_realisasi": months, "sumber": actuals.snapshot}
    pdb = float(projected["pdb"][0, 0])
    for pos in ("pendapatan", "belanja"):
        _, ytd = actuals.year_to_date(year, pos)
        share = float(actuals.profile(pos, year)[months - 1])
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
    return out
