"""The four detectors of the engine, one per way a row can be unusual.

- :class:`IForest`: isolated by few random splits (multivariate, global).
- :class:`ECOD` and :class:`COPOD` (Li et al., 2022 and 2020): far into the tails of each feature's
  empirical distribution, ``-log`` of the left and right tail probabilities summed over the
  features; they differ only in how the two tails are combined. Written with NumPy
  (``searchsorted`` on the sorted training columns), so scoring is vectorised.
- :class:`KNN`: far from its nearest neighbours (local): the distance to the k-th nearest
  training row, features standardised on the training rows (Ramaswamy et al., 2000).

Every detector is fitted on training rows and scores new rows against them; higher = more
anomalous.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import NearestNeighbors


def as_matrix(x: np.ndarray) -> np.ndarray:
    """``x`` as a float64 rows x features matrix; refuses empty, NaN and infinite input."""
    matrix = np.asarray(x, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix.reshape(-1, 1)
    if matrix.ndim != 2 or matrix.shape[0] == 0:
        raise ValueError("x must be a non-empty 2-D array (rows x features)")
    if not np.isfinite(matrix).all():
        raise ValueError("x must not contain NaN or infinite values")
    return matrix


class _TailDetector:
    """Empirical-CDF tail probabilities per feature (shared part of ECOD and COPOD)."""

    def fit(self, x: np.ndarray) -> Self:
        matrix = as_matrix(x)
        self.sorted_ = np.sort(matrix, axis=0)
        self.n_ = matrix.shape[0]
        centred = matrix - matrix.mean(axis=0)
        spread = np.sqrt((centred**2).mean(axis=0))
        third = (centred**3).mean(axis=0)
        skewness = np.divide(third, spread**3, out=np.zeros_like(third), where=spread > 0)
        self.skew_sign_ = np.sign(skewness)
        return self

    def tails(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """-log left tail, -log right tail and the skewness-chosen tail, per cell."""
        matrix = as_matrix(x)
        n = self.n_
        left = np.empty_like(matrix)
        right = np.empty_like(matrix)
        for j in range(matrix.shape[1]):
            column = self.sorted_[:, j]
            # P(x <= x) and P(x >= x) with +1 smoothing so a new extreme gets a finite score.
            left[:, j] = (np.searchsorted(column, matrix[:, j], side="right") + 1) / (n + 1)
            right[:, j] = (n - np.searchsorted(column, matrix[:, j], side="left") + 1) / (n + 1)
        u_left = -np.log(np.minimum(left, 1.0))
        u_right = -np.log(np.minimum(right, 1.0))
        u_skew = np.where(self.skew_sign_ < 0, u_left, u_right)
        return u_left, u_right, u_skew


def ecod_cells(u_left: np.ndarray, u_right: np.ndarray, u_skew: np.ndarray) -> np.ndarray:
    """ECOD per cell: the larger of the left, right and skewness-chosen tail scores."""
    return np.maximum(np.maximum(u_left, u_right), u_skew)


def copod_cells(u_left: np.ndarray, u_right: np.ndarray, u_skew: np.ndarray) -> np.ndarray:
    """COPOD per cell: the larger of the skewness-chosen tail and the two tails' mean."""
    return np.maximum(u_skew, (u_left + u_right) / 2)


class ECOD(_TailDetector):
    """ECOD: per feature the larger of the left, right and skewness-chosen tail scores."""

    def cell_scores(self, x: np.ndarray) -> np.ndarray:
        """Each feature's share of the score (rows x features): the explanation of a row."""
        return ecod_cells(*self.tails(x))

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        return np.asarray(self.cell_scores(x).sum(axis=1))


class COPOD(_TailDetector):
    """COPOD: per feature the larger of the skewness-chosen tail and the two tails' mean."""

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        return np.asarray(copod_cells(*self.tails(x)).sum(axis=1))


class IForest:
    """scikit-learn's IsolationForest with the score sign flipped (higher = more anomalous)."""

    def __init__(self, seed: int = 0, n_estimators: int = 100) -> None:
        self.forest = IsolationForest(n_estimators=n_estimators, random_state=seed, n_jobs=1)

    def fit(self, x: np.ndarray) -> IForest:
        self.forest.fit(as_matrix(x))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        return np.asarray(-self.forest.score_samples(as_matrix(x)))


class KNN:
    """Distance to the k-th nearest training row, features standardised on the training rows.

    At most ``max_reference`` training rows (a random sample) are kept as neighbours, so scoring
    a million rows costs a bounded brute-force search. ``training_scores_`` holds each training
    row's score with the row itself left out, the honest reference for new rows.
    """

    def __init__(self, k: int = 5, max_reference: int = 5000, seed: int = 0) -> None:
        self.k = k
        self.max_reference = max_reference
        self.seed = seed

    def fit(self, x: np.ndarray) -> KNN:
        matrix = as_matrix(x)
        self.centre_ = matrix.mean(axis=0)
        spread = matrix.std(axis=0)
        self.spread_ = np.where(spread > 0, spread, 1.0)
        standard = (matrix - self.centre_) / self.spread_
        n = len(standard)
        if n > self.max_reference:
            chosen = np.random.default_rng(self.seed).choice(n, self.max_reference, replace=False)
        else:
            chosen = np.arange(n)
        self.k_ = max(1, min(self.k, len(chosen) - 1))
        self.index_ = NearestNeighbors(algorithm="brute").fit(standard[chosen])
        if len(chosen) == 1:
            self.training_scores_ = np.linalg.norm(standard - standard[chosen], axis=1)
            return self
        # One neighbour more than k: a row that is itself a neighbour skips its own distance.
        distances, _ = self.index_.kneighbors(standard, n_neighbors=self.k_ + 1)
        member = np.zeros(n, dtype=bool)
        member[chosen] = True
        self.training_scores_ = np.where(member, distances[:, self.k_], distances[:, self.k_ - 1])
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        standard = (as_matrix(x) - self.centre_) / self.spread_
        distances, _ = self.index_.kneighbors(standard, n_neighbors=self.k_)
        return np.asarray(distances[:, -1])
