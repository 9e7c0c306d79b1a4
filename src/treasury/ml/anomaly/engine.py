"""The unsupervised engine: up to three families of detectors, robust z-scores, one 0-1 score.

The detectors (:mod:`treasury.ml.anomaly.detectors`) see different kinds of anomaly: the
IsolationForest a row that random splits isolate quickly, ECOD and COPOD a value far into one
feature's tail, kNN a row far from its nearest neighbours. Each family that votes has an equal say
(ECOD and COPOD read the same tail probabilities, so they share theirs).

kNN votes only when the features are mostly measurements: when more than a quarter of them are
flags or small counts (at most 10 distinct training values), distances are mostly ties and a
standardised rare flag dominates them, so the neighbour family stays out.

Each detector's score is put on a common scale by a robust z-score against its own training
scores (``(s - median) / IQR``); the weighted sum is the combined score, and the engine returns
its percentile among the training rows' combined scores (0-1). A robust z keeps how far into the
tail a detector puts a row, so a detector that is sure outweighs one that is mildly surprised;
averaging percentiles (the previous rule) flattened that, and a detector that is weak on a
dataset dragged good rankings towards the middle. The rule was chosen by leave-one-dataset-out
over ADBench (``bench/anomaly.py``), not by one fit to all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from treasury.ml.anomaly.detectors import (
    COPOD,
    ECOD,
    KNN,
    IForest,
    as_matrix,
    copod_cells,
    ecod_cells,
)

__all__ = ["COPOD", "ECOD", "KNN", "WEIGHTS", "Ensemble", "IForest", "score"]

#: The say of each detector, in shares: a third per family (isolation, marginal tails, neighbours)
#: when all three vote; without kNN the forest has half and the tails half.
WEIGHTS = {"iforest": 2, "ecod": 1, "copod": 1, "knn": 2}

#: A feature with at most this many distinct training values counts as a flag or a count.
DISCRETE_VALUES = 10

#: kNN votes when at most this share of the features are flags or counts.
MAX_DISCRETE_SHARE = 0.25

Normalisation = Literal["robust_z", "z", "percentile"]


def discrete_share(matrix: np.ndarray) -> float:
    """Share of the columns with at most :data:`DISCRETE_VALUES` distinct values."""
    ordered = np.sort(matrix, axis=0)
    distinct = 1 + (np.diff(ordered, axis=0) != 0).sum(axis=0)
    return float((distinct <= DISCRETE_VALUES).mean())


def _percentile(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mid-rank percentile (0-1) of each value among the sorted ``reference``."""
    below = np.searchsorted(reference, values, side="left")
    at_or_below = np.searchsorted(reference, values, side="right")
    return np.asarray((below + at_or_below) / (2 * len(reference)))


def _scale(training: np.ndarray, normalisation: Normalisation) -> tuple[float, float]:
    """Centre and spread of a detector's training scores (spread never 0)."""
    if normalisation == "robust_z":
        q25, median, q75 = np.quantile(training, [0.25, 0.5, 0.75])
        return float(median), float(q75 - q25) or float(training.std()) or 1.0
    return float(training.mean()), float(training.std()) or 1.0


@dataclass
class Ensemble:
    """IsolationForest + ECOD + COPOD (+ kNN on mostly continuous features): each score
    normalised against the training scores, weighted by :data:`WEIGHTS`, the sum given as its
    percentile among the training rows.

    ``neighbours`` forces kNN in or out (``None``: decided by :func:`discrete_share`);
    ``normalisation`` is kept selectable for the benchmark's comparison of rules.
    """

    seed: int = 0
    neighbours: bool | None = None
    normalisation: Normalisation = "robust_z"
    detectors: dict[str, IForest | ECOD | COPOD | KNN] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    sorted_training: dict[str, np.ndarray] = field(default_factory=dict)
    reference: np.ndarray = field(default_factory=lambda: np.empty(0))
    training_combined: np.ndarray = field(default_factory=lambda: np.empty(0))

    def fit(self, x: np.ndarray) -> Ensemble:
        """Fit the detectors on ``x``; keep their training scales and the sorted combined scores."""
        matrix = as_matrix(x)
        use_knn = self.neighbours
        if use_knn is None:
            use_knn = discrete_share(matrix) <= MAX_DISCRETE_SHARE
        self.detectors = {
            "iforest": IForest(seed=self.seed).fit(matrix),
            "ecod": ECOD().fit(matrix),
            "copod": COPOD().fit(matrix),
        }
        if use_knn:
            self.detectors["knn"] = KNN(seed=self.seed).fit(matrix)
        total = sum(WEIGHTS[name] for name in self.detectors)
        self.weights = {name: WEIGHTS[name] / total for name in self.detectors}
        training = self._raw(matrix, training=True)
        self.scales = {
            name: _scale(values, self.normalisation) for name, values in training.items()
        }
        self.sorted_training = {name: np.sort(values) for name, values in training.items()}
        self.training_combined = self._combine(training)
        self.reference = np.sort(self.training_combined)
        return self

    def _raw(self, matrix: np.ndarray, training: bool = False) -> dict[str, np.ndarray]:
        ecod = self.detectors["ecod"]
        assert isinstance(ecod, ECOD)
        tails = ecod.tails(matrix)  # ECOD and COPOD read the same training columns
        raw = {
            "iforest": self.detectors["iforest"].score(matrix),
            "ecod": ecod_cells(*tails).sum(axis=1),
            "copod": copod_cells(*tails).sum(axis=1),
        }
        knn = self.detectors.get("knn")
        if isinstance(knn, KNN):
            raw["knn"] = knn.training_scores_ if training else knn.score(matrix)
        return raw

    def _combine(self, raw: dict[str, np.ndarray]) -> np.ndarray:
        total = np.zeros(len(raw["iforest"]))
        for name, values in raw.items():
            if self.normalisation == "percentile":
                total += self.weights[name] * _percentile(self.sorted_training[name], values)
            else:
                centre, spread = self.scales[name]
                total += self.weights[name] * (values - centre) / spread
        return total

    def fit_score(self, x: np.ndarray) -> np.ndarray:
        """Fit on ``x`` and score its own rows (kNN leaves each row out of its neighbours)."""
        return _percentile(self.fit(x).reference, self.training_combined)

    def detector_scores(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each detector's raw score per row (higher = more anomalous)."""
        return self._raw(as_matrix(x))

    def combined(self, x: np.ndarray) -> np.ndarray:
        """The weighted sum of normalised detector scores per row (before the percentile)."""
        return self._combine(self._raw(as_matrix(x)))

    def score(self, x: np.ndarray) -> np.ndarray:
        """The ensemble score per row in 0-1 (higher = more anomalous)."""
        combined = self.combined(x)
        if self.reference.size == 0:  # unpickled from the previous engine: its own 0-1 score
            return combined
        return _percentile(self.reference, combined)

    def __setstate__(self, state: dict[str, object]) -> None:
        """Registry models pickled by the previous engine keep scoring as they did."""
        if isinstance(state.get("reference"), dict):
            state = {
                "seed": state["seed"],
                "neighbours": False,
                "normalisation": "percentile",
                "detectors": state["detectors"],
                "weights": {"iforest": 0.5, "ecod": 0.25, "copod": 0.25},
                "scales": {},
                "sorted_training": state["reference"],
                "reference": np.empty(0),
                "training_combined": np.empty(0),
            }
        self.__dict__.update(state)


def score(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Anomaly score per row of ``x`` (higher = more anomalous), fitted on ``x`` itself.

    Parameters
    ----------
    x : array of shape (rows, features), numbers without NaN.
    seed : the random state of the IsolationForest and of the kNN reference sample.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.vstack([np.zeros((50, 2)) + np.arange(50)[:, None] % 7, [[40.0, -40.0]]])
    >>> int(np.argmax(score(x)))
    50
    """
    return Ensemble(seed=seed).fit_score(x)
