"""Red flags shared by the payment and village-fund models: severity points, the flags a row
raises in words, and per-feature explanations from ECOD's tail scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.ml.anomaly.engine import ECOD, Ensemble

#: Points of each severity added to the ensemble score (0-1): one high flag outranks any
#: unflagged anomaly.
SEVERITY_POINTS = {"tinggi": 1.0, "sedang": 0.5, "rendah": 0.25}

#: A rule: code -> (severity, Indonesian text, English text).
Rules = dict[str, tuple[str, str, str]]


def rule_points(flags: pd.DataFrame, rules: Rules) -> np.ndarray:
    """The sum of the severity points of the rules each row breaks."""
    weights = np.array([SEVERITY_POINTS[rules[code][0]] for code in flags.columns])
    return np.asarray(flags.to_numpy(dtype=np.float64) @ weights)


def broken(flags: pd.DataFrame, position: int, rules: Rules) -> list[dict[str, str]]:
    """The rules row ``position`` breaks: code, severity and the reason in both languages."""
    row = flags.iloc[position]
    return [
        {
            "aturan": code,
            "keparahan": rules[code][0],
            "alasan": rules[code][1],
            "reason": rules[code][2],
        }
        for code in flags.columns
        if bool(row[code])
    ]


def tail_explanation(ensemble: Ensemble, matrix: pd.DataFrame) -> list[dict[str, float]]:
    """Per row, each feature's ECOD tail score (how unusual that value is), largest first."""
    detector = ensemble.detectors["ecod"]
    assert isinstance(detector, ECOD)
    cells = detector.cell_scores(matrix.to_numpy())
    names = list(matrix.columns)
    return [
        dict(
            sorted(
                ((k, round(float(v), 4)) for k, v in zip(names, row, strict=True)),
                key=lambda kv: -kv[1],
            )
        )
        for row in cells
    ]


def scored_frame(
    ensemble: Ensemble, matrix: pd.DataFrame, flags: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """``skor_ensemble``, ``poin_aturan``, ``skor`` (their sum) and the flag columns."""
    out = flags.copy()
    score = ensemble.score(matrix.to_numpy())
    points = rule_points(flags, rules)
    out.insert(0, "skor_ensemble", score)
    out.insert(1, "poin_aturan", points)
    out.insert(2, "skor", score + points)
    return out
