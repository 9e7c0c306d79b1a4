"""The PPP payment anomaly model: the engine on payment features plus red-flag rules."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from treasury.config import Settings
from treasury.ml.anomaly.engine import Ensemble
from treasury.ml.anomaly.flags import broken, scored_frame, tail_explanation
from treasury.ml.anomaly.ppp import (
    FEATURES,
    MAX_AGE_DAYS,
    RULES,
    below_threshold,
    features,
    red_flags,
)
from treasury.ml.anomaly.ranking import review_evaluation
from treasury.ml.base import Evaluation, InputError, Model
from treasury.reference import is_working_day
from treasury.sources.ppp import PATTERNS, generate_ppp

#: Review-list size for precision@k.
TOP_K = 100


def _levels(score: np.ndarray) -> list[str]:
    return [
        "tinggi"
        if value >= 1.5
        else "sedang"
        if value >= 1.0
        else "rendah"
        if value >= 0.9
        else "normal"
        for value in score
    ]


class PaymentAnomalyModel(Model):
    """Scores payments: ensemble anomaly score (0-1) + red-flag points by severity."""

    name: ClassVar[str] = "anomaly"
    title: ClassVar[dict[str, str]] = {
        "id": "Anomali pembayaran pada platform pembayaran pemerintah (PPP)",
        "en": "Anomalies in government payment platform (PPP) payments",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "Skor anomali per pembayaran satker ke vendor: ensembel IsolationForest, ECOD dan "
        "COPOD ditambah aturan red flag dengan tingkat keparahan.",
        "en": "Anomaly score per satker-to-vendor payment: an IsolationForest + ECOD + COPOD "
        "ensemble plus red-flag rules with severities.",
    }
    labels: ClassVar[str] = (
        "Synthetic PPP payments (treasury.sources.ppp) with six injected patterns (duplicates, "
        "same amount same date other vendor, weekend/holiday/out-of-hours, shared bank account, "
        "new vendor with a large payment, just below a procurement threshold) at 1.2% of rows, "
        "mixed with legitimate look-alikes (honoraria, overtime); the label is the injection."
    )
    rows: ClassVar[int] = 20_000

    def __init__(self) -> None:
        self.features = list(FEATURES)

    def train(self, settings: Settings | None = None, seed: int = 7) -> PaymentAnomalyModel:
        """Fit the ensemble on one synthetic year and keep another year for evaluation."""
        train = generate_ppp(self.rows, seed=seed)
        matrix = features(train)
        self.ensemble = Ensemble(seed=seed).fit(matrix.to_numpy())
        self.large_amount = float(np.quantile(train["nilai"], 0.99))
        spread = matrix.groupby(train["kode_vendor"].to_numpy())["log_nilai"].std()
        self.vendor_spread = float(np.nanmedian(spread.to_numpy()))
        self.holdout = generate_ppp(self.rows, seed=seed + 1000)
        self.data_version = (
            f"synthetic PPP, seed {seed}, {len(train)} payments; hold-out seed {seed + 1000}"
        )
        return self

    def score_frame(self, transactions: pd.DataFrame) -> pd.DataFrame:
        """Score many payments: ``skor_ensemble``, ``poin_aturan``, ``skor`` and one flag per rule."""
        matrix = features(transactions)
        return scored_frame(self.ensemble, matrix, red_flags(matrix, self.large_amount), RULES)

    def evaluate(self) -> Evaluation:
        """AUCPR and precision@100 on the hold-out year, against the amount z-score."""
        log_amount = np.log(self.holdout["nilai"].to_numpy(dtype=np.float64))
        baseline = np.abs(log_amount - log_amount.mean()) / log_amount.std()
        return review_evaluation(
            self.score_frame(self.holdout),
            self.holdout["pola"],
            PATTERNS,
            ("absolute z-score of log amount", baseline),
            "hold-out: another synthetic year of payments",
            TOP_K,
        )

    def example(self) -> dict[str, Any]:
        """A payment on a Saturday night to a week-old vendor."""
        return {
            "nilai": 5_000_000_000,
            "median_nilai_vendor": 25_000_000,
            "tanggal": "2025-03-08",
            "jam": 22.5,
            "umur_vendor_hari": 7,
            "salinan_sebelumnya": 0,
            "vendor_lain_nilai_sama": 0,
            "vendor_serekening": 1,
        }

    def _matrix(self, cases: list[dict[str, Any]]) -> pd.DataFrame:
        rows = []
        for case in cases:
            problems: dict[str, str] = {}
            row = _case_features(case, problems, self.vendor_spread)
            if problems:
                raise InputError(problems)
            rows.append(row)
        return pd.DataFrame(rows, columns=FEATURES)

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per payment: ``skor`` (ensemble + rule points), ``tingkat`` and the rules broken."""
        scored = scored_frame(self.ensemble, *self._flagged(cases), RULES)
        flags = scored[list(RULES)]
        total = scored["skor"].to_numpy()
        return [
            {
                "skor": round(float(total[i]), 4),
                "skor_ensemble": round(float(scored["skor_ensemble"].iloc[i]), 4),
                "tingkat": level,
                "red_flags": broken(flags, i, RULES),
            }
            for i, level in enumerate(_levels(total))
        ]

    def _flagged(self, cases: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
        matrix = self._matrix(cases)
        return matrix, red_flags(matrix, self.large_amount)

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """Per payment, each feature's ECOD tail score (how unusual that field is), largest first."""
        return tail_explanation(self.ensemble, self._matrix(cases))


def _number(
    case: dict[str, Any],
    key: str,
    problems: dict[str, str],
    *,
    default: float | None = None,
    low: float = 0.0,
    high: float | None = None,
    positive: bool = False,
) -> float:
    value = case.get(key, default)
    if value is None or value == "":
        problems[key] = "wajib diisi (required)"
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems[key] = f"harus berupa angka, bukan {value!r} (must be a number)"
        return 0.0
    if (
        not np.isfinite(number)
        or number < low
        or (positive and number <= 0)
        or (high is not None and number > high)
    ):
        bound = (
            f"antara {low:g} dan {high:g}"
            if high is not None
            else ("lebih dari 0" if positive else f"paling kecil {low:g}")
        )
        problems[key] = (
            f"harus {bound} (must be {'> 0' if positive else f'>= {low:g}'}{'' if high is None else f' and <= {high:g}'})"
        )
        return 0.0
    return number


def _case_features(
    case: dict[str, Any], problems: dict[str, str], vendor_spread: float
) -> list[float]:
    """The :data:`FEATURES` of one payment given as a dict (see ``example()``)."""
    amount = _number(case, "nilai", problems, positive=True)
    median = _number(
        case, "median_nilai_vendor", problems, default=case.get("nilai"), positive=True
    )
    hour = _number(case, "jam", problems, high=24.0)
    age = _number(case, "umur_vendor_hari", problems)
    earlier = _number(case, "salinan_sebelumnya", problems, default=0)
    same = _number(case, "vendor_lain_nilai_sama", problems, default=0)
    shared = _number(case, "vendor_serekening", problems, default=0)
    raw_date = case.get("tanggal")
    holiday = 0.0
    try:
        day = dt.date.fromisoformat(str(raw_date))
        holiday = 0.0 if is_working_day(day) else 1.0
    except ValueError:
        problems["tanggal"] = (
            f"tanggal harus berformat YYYY-MM-DD, bukan {raw_date!r} (date must be YYYY-MM-DD)"
        )
    if problems:
        return []
    log_amount = float(np.log1p(amount))
    return [
        log_amount,
        (log_amount - float(np.log1p(median))) / max(vendor_spread, 0.25),
        earlier,
        same,
        holiday,
        max(7.0 - hour, 0.0) + max(hour - 19.0, 0.0),
        shared,
        min(age, MAX_AGE_DAYS),
        float(below_threshold(np.array([amount]))[0]),
    ]
