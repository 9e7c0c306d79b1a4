"""The unsupervised engine: IsolationForest, ECOD and COPOD, combined by rank averaging.

ECOD (Li et al., 2022) and COPOD (Li et al., 2020) score a row by how far into the tails of each
feature's empirical distribution it lies: ``-log`` of the left and right tail probabilities,
summed over the features. They differ only in how the two tails are combined. Both are written
here with NumPy (searchsorted on the sorted training columns), so scoring is vectorised and a
fitted detector scores new rows against the data it was fitted on.

The ensemble turns each detector's score into its percentile among the training scores and
averages the percentiles: on the training rows that is rank averaging, and a single new case
gets a comparable score without refitting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import numpy as np
from sklearn.ensemble import IsolationForest


def _as_matrix(x: np.ndarray) -> np.ndarray:
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
        matrix = _as_matrix(x)
        self.sorted_ = np.sort(matrix, axis=0)
        self.n_ = matrix.shape[0]
        centred = matrix - matrix.mean(axis=0)
        spread = np.sqrt((centred**2).mean(axis=0))
        third = (centred**3).mean(axis=0)
        skewness = np.divide(third, spread**3, out=np.zeros_like(third), where=spread > 0)
        self.skew_sign_ = np.sign(skewness)
        return self

    def _tails(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """-log left tail, -log right tail and the skewness-chosen tail, per cell."""
        matrix = _as_matrix(x)
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


class ECOD(_TailDetector):
    """ECOD: per feature the larger of the left, right and skewness-chosen tail scores."""

    def cell_scores(self, x: np.ndarray) -> np.ndarray:
        """Each feature's share of the score (rows x features): the explanation of a row."""
        u_left, u_right, u_skew = self._tails(x)
        return np.maximum(np.maximum(u_left, u_right), u_skew)

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        return np.asarray(self.cell_scores(x).sum(axis=1))


class COPOD(_TailDetector):
    """COPOD: per feature the larger of the skewness-chosen tail and the two tails' mean."""

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        u_left, u_right, u_skew = self._tails(x)
        return np.maximum(u_skew, (u_left + u_right) / 2).sum(axis=1)


class IForest:
    """scikit-learn's IsolationForest with the score sign flipped (higher = more anomalous)."""

    def __init__(self, seed: int = 0, n_estimators: int = 100) -> None:
        self.forest = IsolationForest(n_estimators=n_estimators, random_state=seed, n_jobs=1)

    def fit(self, x: np.ndarray) -> IForest:
        self.forest.fit(_as_matrix(x))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """Outlier score per row (higher = more anomalous)."""
        return np.asarray(-self.forest.score_samples(_as_matrix(x)))


#: Weights of the detectors: ECOD and COPOD read the same tail probabilities, so together they
#: count as one opinion beside the IsolationForest's multivariate one.
WEIGHTS = {"iforest": 0.5, "ecod": 0.25, "copod": 0.25}


@dataclass
class Ensemble:
    """IsolationForest + ECOD + COPOD, each score mapped to its training percentile, averaged
    with :data:`WEIGHTS`."""

    seed: int = 0
    detectors: dict[str, IForest | ECOD | COPOD] = field(default_factory=dict)
    reference: dict[str, np.ndarray] = field(default_factory=dict)

    def fit(self, x: np.ndarray) -> Ensemble:
        """Fit the three detectors on ``x`` and keep their sorted training scores."""
        matrix = _as_matrix(x)
        self.detectors = {
            "iforest": IForest(seed=self.seed).fit(matrix),
            "ecod": ECOD().fit(matrix),
            "copod": COPOD().fit(matrix),
        }
        self.reference = {
            name: np.sort(detector.score(matrix)) for name, detector in self.detectors.items()
        }
        return self

    def detector_scores(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each detector's percentile (0-1) among its training scores, per row."""
        matrix = _as_matrix(x)
        out: dict[str, np.ndarray] = {}
        for name, detector in self.detectors.items():
            reference = self.reference[name]
            raw = detector.score(matrix)
            below = np.searchsorted(reference, raw, side="left")
            at_or_below = np.searchsorted(reference, raw, side="right")
            out[name] = (below + at_or_below) / (2 * len(reference))
        return out

    def score(self, x: np.ndarray) -> np.ndarray:
        """The ensemble score per row in 0-1 (higher = more anomalous)."""
        scores = self.detector_scores(x)
        return np.asarray(sum(WEIGHTS[name] * values for name, values in scores.items()))


def score(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Anomaly score per row of ``x`` (higher = more anomalous), fitted on ``x`` itself.

    Parameters
    ----------
    x : array of shape (rows, features), numbers without NaN.
    seed : the IsolationForest's random state.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.vstack([np.zeros((50, 2)) + np.arange(50)[:, None] % 7, [[40.0, -40.0]]])
    >>> int(np.argmax(score(x)))
    50
    """
    return Ensemble(seed=seed).fit(x).score(x)
