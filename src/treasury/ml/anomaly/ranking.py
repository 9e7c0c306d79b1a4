"""Ranking metrics for review lists: AUCPR, AUCROC and precision among the top k."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


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
