"""The generic engine: ECOD/COPOD tails, the ensemble, and an ADBench check when the data is there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from treasury.ml.anomaly import COPOD, ECOD, Ensemble, score

ADBENCH = Path("/work/shared/data/adbench")


def _blob_with_outliers(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    normal = rng.normal(0, 1, (600, 4))
    outliers = rng.normal(0, 1, (20, 4)) + rng.choice([-6.0, 6.0], (20, 4))
    return np.vstack([normal, outliers]), np.r_[np.zeros(600), np.ones(20)]


def test_score_ranks_planted_outliers_first() -> None:
    x, y = _blob_with_outliers()
    result = score(x)
    assert result.shape == (620,)
    assert roc_auc_score(y, result) > 0.99
    assert set(np.argsort(-result)[:20]) == set(range(600, 620))


def test_tails_ecod_takes_both_copod_leans_to_the_skewed_one() -> None:
    rng = np.random.default_rng(1)
    train = rng.exponential(1.0, (2000, 1))  # right-skewed
    beyond = -np.log(1 / 2001)  # a value beyond every training value
    low, high = ECOD().fit(train).score(np.array([[-1.0], [12.0]]))
    assert low == pytest.approx(beyond) and high == pytest.approx(beyond)
    low, high = COPOD().fit(train).score(np.array([[-1.0], [12.0]]))
    assert high == pytest.approx(beyond)
    assert low == pytest.approx(beyond / 2)  # the left tail counts half


def test_copod_and_ecod_agree_on_an_extreme_row() -> None:
    x, _ = _blob_with_outliers(2)
    for detector in (ECOD().fit(x), COPOD().fit(x)):
        assert detector.score(np.full((1, 4), 9.0))[0] > np.quantile(detector.score(x), 0.99)


def test_ensemble_scores_new_rows_against_training() -> None:
    x, _ = _blob_with_outliers(3)
    model = Ensemble(seed=0).fit(x[:600])
    fresh = model.score(np.array([[0.0, 0.0, 0.0, 0.0], [8.0, -8.0, 8.0, -8.0]]))
    assert 0 <= fresh[0] < 0.6
    assert fresh[1] > 0.99
    assert np.array_equal(Ensemble(seed=0).fit(x).score(x), score(x, seed=0))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="NaN"):
        score(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="non-empty"):
        score(np.empty((0, 3)))


@pytest.mark.skipif(not ADBENCH.exists(), reason="ADBench data folder absent")
def test_adbench_thyroid_close_to_published_iforest() -> None:
    data = np.load(ADBENCH / "38_thyroid.npz")
    auc = roc_auc_score(data["y"], score(data["X"].astype(float), seed=0))
    assert auc > 0.9830 - 0.03  # ADBench Table D4 IForest AUCROC on thyroid
