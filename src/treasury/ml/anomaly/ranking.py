"""Ranking metrics for review lists: AUCPR, AUCROC and precision among the top k."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from treasury.ml.base import Evaluation


def precision_at_k(truth: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of true cases among the ``k`` highest scores (ties broken by order)."""
    k = max(1, min(k, len(scores)))
    top = np.argsort(-np.asarray(scores), kind="stable")[:k]
    return float(np.asarray(truth)[top].mean())


def ranking_metrics(truth: np.ndarray, scores: np.ndarray, k: int) -> dict[str, float]:
    """AUCPR (average precision), AUCROC and precision@k of ``scores`` against ``truth``."""
    truth = np.asarray(truth).astype(bool)
    return {
        "aucpr": round(float(average_precision_score(truth, scores)), 4),
        "aucroc": round(float(roc_auc_score(truth, scores)), 4),
        f"precision_at_{k}": round(precision_at_k(truth, scores, k), 4),
    }


def review_evaluation(
    scored: pd.DataFrame,
    pola: pd.Series,
    patterns: tuple[str, ...],
    baseline: tuple[str, np.ndarray],
    method: str,
    k: int,
) -> Evaluation:
    """The evaluation of a review list: ``scored`` (``skor``, ``skor_ensemble``, ``poin_aturan``)
    against the injected ``pola`` ("" = normal), beside a named baseline score; recall of each
    pattern within the top n (n = the number injected)."""
    truth = (pola != "").to_numpy()
    top = np.argsort(-scored["skor"].to_numpy())[: int(truth.sum())]
    recall = {
        pattern: round(float(np.isin(np.flatnonzero(pola == pattern), top).mean()), 3)
        for pattern in patterns
    }
    return Evaluation(
        method=f"{method} ({len(truth)} rows, {int(truth.sum())} injected)",
        metrics=ranking_metrics(truth, scored["skor"].to_numpy(), k),
        baseline=baseline[0],
        baseline_metrics=ranking_metrics(truth, baseline[1], k),
        primary_metric="aucpr",
        higher_is_better=True,
        rows=len(truth),
        extra={
            "random_aucpr": round(float(truth.mean()), 4),
            "ensemble_only": ranking_metrics(truth, scored["skor_ensemble"].to_numpy(), k),
            "rules_only": ranking_metrics(truth, scored["poin_aturan"].to_numpy(), k),
            "recall_by_pattern_in_top_n_injected": recall,
        },
    )
