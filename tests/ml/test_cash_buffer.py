"""The cash buffer: Kupiec and breaches on constructed series with known answers; the model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from treasury.config import Settings
from treasury.ml import registry
from treasury.ml.base import InputError
from treasury.ml.cash_buffer import (
    CashBuffer,
    backtest_buffer,
    kupiec_pof,
    optimal_quantile,
    window_sums,
)


def test_kupiec_known_values() -> None:
    # exactly the expected rate: no evidence against the model
    assert kupiec_pof(5, 100, 0.05) == (pytest.approx(0.0, abs=1e-12), pytest.approx(1.0))
    # 10 breaches in 100 days at 5%: LR by hand
    x, n, p = 10, 100, 0.05
    by_hand = -2 * ((n - x) * np.log(1 - p) + x * np.log(p)) + 2 * (
        (n - x) * np.log(1 - x / n) + x * np.log(x / n)
    )
    lr, pvalue = kupiec_pof(x, n, p)
    assert lr == pytest.approx(by_hand) == pytest.approx(4.1308, abs=1e-4)
    assert pvalue == pytest.approx(chi2.sf(by_hand, 1)) == pytest.approx(0.0421, abs=1e-4)
    # no breaches at all in 250 days at 1%: LR = -2 * 250 * ln(0.99)
    assert kupiec_pof(0, 250, 0.01)[0] == pytest.approx(-2 * 250 * np.log(0.99))
    with pytest.raises(ValueError):
        kupiec_pof(3, 0, 0.05)


def test_optimal_quantile_is_the_newsvendor_ratio() -> None:
    assert optimal_quantile(9, 1) == pytest.approx(0.9)
    assert optimal_quantile(19, 1) == pytest.approx(0.95)
    with pytest.raises(ValueError):
        optimal_quantile(0, 0)


def test_window_sums() -> None:
    assert window_sums(np.array([1, 2, 3, 4]), 2).tolist() == [3, 5, 7]
    assert window_sums(np.array([1, 2, 3, 4]), 4).tolist() == [10]


def test_backtest_with_known_breaches() -> None:
    # 1000 closed windows with errors 0..999 (forecast 0): the 95% quantile is 949.05. Then 100
    # days: 19 of every 20 at 500 (below it), one in 20 at 5000 (a breach). The five 5000s stay
    # in the top 5% of 1000+ errors, so the quantile stays near 950: exactly 5 breaches = 5%.
    history = np.arange(1000, dtype=float)
    test = np.where(np.arange(100) % 20 == 19, 5000.0, 500.0)
    actual = np.concatenate([history, test])
    zero = np.zeros_like(actual)
    result = backtest_buffer(actual, zero, zero, horizon=1, confidence=0.95, warmup=1000)
    assert result["days"] == 100
    assert result["buffer"][0] == pytest.approx(949.05)
    assert result["breaches"] == 5 and result["breach"][19] and not result["breach"][18]
    assert result["breach_rate"] == pytest.approx(0.05)
    assert result["kupiec_p"] == pytest.approx(1.0)
    # idle balance: buffer - need on the 95 quiet days (need 500), 0 on breach days
    assert result["avg_idle"] == pytest.approx(np.mean(np.maximum(result["buffer"] - test, 0)))
    # scheduled redemptions add to both the buffer and the need: same breaches
    redemptions = np.where(np.arange(1100) % 7 == 0, 50.0, 0.0)
    shifted = backtest_buffer(actual, zero, redemptions, 1, 0.95, 1000)
    assert shifted["breaches"] == 5
    assert shifted["avg_buffer"] > result["avg_buffer"]


def test_backtest_flags_an_underestimating_model() -> None:
    # after the same 1000 errors, 100 days at 5000: each one raises the quantile; from the 55th
    # on (0.95 x (999 + k) >= 1000 for k >= 54) the quantile itself is 5000 and no day breaches
    actual = np.concatenate([np.arange(1000, dtype=float), np.full(100, 5000.0)])
    zero = np.zeros_like(actual)
    result = backtest_buffer(actual, zero, zero, horizon=1, confidence=0.95, warmup=1000)
    assert result["breaches"] == 54
    assert result["breach"][:54].all() and not result["breach"][54:].any()
    assert result["kupiec_p"] < 1e-12


def test_backtest_over_a_horizon_uses_closed_windows_only() -> None:
    # horizon 5: the first origin needs warmup windows closed, i.e. origin >= warmup + 4
    actual = np.arange(50, dtype=float)
    zero = np.zeros_like(actual)
    result = backtest_buffer(actual, zero, zero, horizon=5, confidence=0.5, warmup=10)
    assert result["origins"][0] == 14
    first_errors = window_sums(actual, 5)[:10]
    assert result["buffer"][0] == pytest.approx(np.quantile(first_errors, 0.5))


@pytest.fixture
def model(ml_settings: Settings) -> CashBuffer:
    loaded = registry.load("cash_buffer", settings=ml_settings)
    assert isinstance(loaded, CashBuffer)
    return loaded


def test_card_and_backtest(model: CashBuffer) -> None:
    ev = model.evaluate()
    assert ev.baseline == "rule of thumb: one month of outflows"
    assert ev.beats_baseline  # less idle cash than one month of outflows
    assert ev.metrics["kupiec_p"] > 0.01  # and a breach rate consistent with 5%
    assert 0 < ev.metrics["breach_rate"] < 0.12
    bt = model.backtest(20, 0.95)
    assert bt["model"]["days"] == bt["rule_of_thumb"]["days"] == ev.rows
    assert bt["model"]["breaches"] == ev.metrics["breaches"]


def test_recommendation_grows_with_confidence_and_redemptions(model: CashBuffer) -> None:
    low, high, scheduled = model.predict(
        [
            {"horizon_days": 20, "confidence": 0.8},
            {"horizon_days": 20, "confidence": 0.99},
            {"horizon_days": 20, "confidence": 0.99, "scheduled_redemptions": 5e12},
        ]
    )
    assert low["buffer"] < high["buffer"]
    assert scheduled["buffer"] == pytest.approx(high["buffer"] + 5e12)
    assert len(high["daily"]) == 20
    costs = model.predict([{"c_short": 19, "c_carry": 1}])[0]
    assert costs["optimal_quantile"] == pytest.approx(0.95)
    parts = model.explain([{"scheduled_redemptions": 1e12}])[0]
    assert sum(parts.values()) == pytest.approx(
        model.predict([{"scheduled_redemptions": 1e12}])[0]["buffer"]
    )


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ({"horizon_days": 0}, "horizon_days"),
        ({"horizon_days": 2.5}, "horizon_days"),
        ({"confidence": 1.2}, "confidence"),
        ({"c_short": 3}, "c_carry"),
        ({"c_short": -1, "c_carry": 1}, "c_short"),
        ({"scheduled_redemptions": -5}, "scheduled_redemptions"),
        ({"confidence": "high"}, "confidence"),
    ],
)
def test_bad_cases_name_the_field(model: CashBuffer, case: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        model.predict([case])
    assert field in info.value.problems
