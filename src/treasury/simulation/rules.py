"""The fiscal rules of Law 17/2003: deficit at most 3% of GDP, debt at most 60% of GDP."""

from __future__ import annotations

from typing import Any

DEFICIT_LIMIT = 3.0
DEBT_LIMIT = 60.0
LAW = "UU 17/2003"
#: Rule name -> (ratio key of a yearly result, limit in % of GDP).
RULES = {
    "defisit_3pct_pdb": ("defisit_pct_pdb", DEFICIT_LIMIT),
    "utang_60pct_pdb": ("utang_pct_pdb", DEBT_LIMIT),
}


def check(years: list[dict[str, Any]]) -> dict[str, Any]:
    """The limits and every breach of the central path (year, rule, value)."""
    breaches = [
        {"tahun": row["tahun"], "aturan": rule, "nilai": row[key]}
        for row in years
        for rule, (key, limit) in RULES.items()
        if row[key] > limit
    ]
    return {
        "batas_defisit_pct_pdb": DEFICIT_LIMIT,
        "batas_utang_pct_pdb": DEBT_LIMIT,
        "dasar_hukum": LAW,
        "pelanggaran": breaches,
    }
