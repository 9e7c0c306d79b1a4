"""Altman Z'' (emerging markets, without the constant) and the KEP-100/MBU/2002 health score.

Altman Z'' = 6.56 X1 + 3.26 X2 + 6.72 X3 + 1.05 X4 (X1 working capital / assets, X2 retained
earnings / assets, X3 EBIT / assets, X4 book equity / liabilities); safe above 2.60, distress
below 1.10. KEP-100: the financial aspect of a non-infrastructure SOE (70 points over eight
ratios, scored by the decree's tables as transcribed here: verify against the decree before
official use) plus the operational and administrative aspects (15 each) -> a rating AAA..C.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SAFE, DISTRESS = 2.60, 1.10
RATINGS = (
    (95, "AAA"),
    (80, "AA"),
    (65, "A"),
    (50, "BBB"),
    (40, "BB"),
    (30, "B"),
    (20, "CCC"),
    (10, "CC"),
)


def altman_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """X1-X4 and Z'' per row (statement columns of :func:`treasury.sources.bumn.generate_bumn`)."""
    assets = frame["total_aset"].clip(lower=1.0)
    liabilities = frame["total_liabilitas"].clip(lower=1.0)
    out = pd.DataFrame(
        {
            "x1_modal_kerja": (frame["aset_lancar"] - frame["liabilitas_lancar"]) / assets,
            "x2_laba_ditahan": frame["laba_ditahan"] / assets,
            "x3_ebit": frame["ebit"] / assets,
            "x4_ekuitas_liabilitas": (frame["total_aset"] - frame["total_liabilitas"])
            / liabilities,
        },
        index=frame.index,
    )
    out["z_altman"] = (
        6.56 * out["x1_modal_kerja"]
        + 3.26 * out["x2_laba_ditahan"]
        + 6.72 * out["x3_ebit"]
        + 1.05 * out["x4_ekuitas_liabilitas"]
    )
    return out


def zone(z: float) -> str:
    """Altman Z'' zone: ``aman`` (safe), ``abu-abu`` (grey) or ``distress``."""
    return "aman" if z > SAFE else "distress" if z < DISTRESS else "abu-abu"


def _step(values: np.ndarray | pd.Series, edges: list[float], points: list[float]) -> np.ndarray:
    """Points for each value: ``points[i]`` when edges[i-1] <= value < edges[i] (ascending)."""
    return np.asarray(points)[np.searchsorted(np.asarray(edges), np.asarray(values), side="right")]


def kep100_financial(frame: pd.DataFrame) -> pd.Series:
    """The financial-aspect points (0-70) of KEP-100 for non-infrastructure SOEs."""
    assets = frame["total_aset"].clip(lower=1.0)
    equity = frame["total_aset"] - frame["total_liabilitas"]
    capital = (frame["total_aset"] - frame["liabilitas_lancar"]).clip(lower=1.0)
    revenue = frame["pendapatan"].clip(lower=1.0)
    roe = np.where(equity > 0, 100 * frame["laba_bersih"] / equity.clip(lower=1.0), -1.0)
    roi = 100 * (frame["ebit"] + frame["penyusutan"]) / capital
    cash = 100 * frame["kas"] / frame["liabilitas_lancar"].clip(lower=1.0)
    current = 100 * frame["aset_lancar"] / frame["liabilitas_lancar"].clip(lower=1.0)
    collection = 365 * frame["piutang"] / revenue
    inventory = 365 * frame["persediaan"] / revenue
    tato = 100 * revenue / capital
    equity_ratio = 100 * equity / assets
    points = (
        _step(
            roe,
            [0, 1, 2.5, 4, 5.3, 6.6, 7.9, 9, 11, 13, 15],
            [0, 2, 4, 5.5, 7, 8.5, 10, 12, 14, 16, 18, 20],
        )
        + _step(
            roi,
            [0, 1, 3, 5, 7, 9, 10.5, 12, 13, 15, 18],
            [1, 2, 3, 4, 5, 6, 7.5, 9, 10.5, 12, 13.5, 15],
        )
        + _step(cash, [5, 10, 15, 20, 25, 30, 35], [0, 1, 2, 2.5, 3, 3.5, 4, 5])
        + _step(
            current,
            [65, 70, 75, 80, 85, 90, 95, 100, 110, 125],
            [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5],
        )
        + _step(
            -collection,
            [-300, -270, -240, -210, -180, -150, -120, -90, -60],
            [0, 0.6, 1.2, 1.8, 2.4, 3, 3.5, 4, 4.5, 5],
        )
        + _step(
            -inventory,
            [-300, -270, -240, -210, -180, -150, -120, -90, -60],
            [0, 0.6, 1.2, 1.8, 2.4, 3, 3.5, 4, 4.5, 5],
        )
        + _step(tato, [20, 40, 60, 75, 90, 105, 120], [1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5])
        + _step(
            equity_ratio,
            [0, 10, 20, 30, 40, 50, 60, 70, 80, 90],
            [0, 4, 6, 7.25, 10, 9, 8.5, 8, 7.5, 7, 6.5],
        )
    )
    return pd.Series(points, index=frame.index, name="skor_keuangan")


def rating(total: float) -> str:
    """KEP-100 rating of a total score: AAA > 95 ... C <= 10."""
    for limit, label in RATINGS:
        if total > limit:
            return label
    return "C"


def health_class(label: str) -> str:
    """``sehat`` (AAA, AA, A), ``kurang sehat`` (BBB, BB, B) or ``tidak sehat`` (CCC, CC, C)."""
    if label in ("AAA", "AA", "A"):
        return "sehat"
    return "kurang sehat" if label in ("BBB", "BB", "B") else "tidak sehat"
