"""The revenue trajectory model on the tiny platform: card, reconciliation, landing, daily."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from treasury.config import Settings
from treasury.ml import registry
from treasury.ml.base import InputError
from treasury.ml.forecasting import RevenueForecast, year_end_landing
from treasury.ml.forecasting.revenue import TYPES, load_monthly


@pytest.fixture
def model(ml_settings: Settings) -> RevenueForecast:
    loaded = registry.load("forecasting", settings=ml_settings)
    assert isinstance(loaded, RevenueForecast)
    return loaded


def test_card_beats_seasonal_naive_by_rolling_origin(model: RevenueForecast) -> None:
    ev = model.evaluate()
    assert ev.method.startswith("rolling origin, 4 origins x 12 months")
    assert ev.baseline.startswith("seasonal naive")
    assert ev.primary_metric == "mase" and not ev.higher_is_better
    assert ev.beats_baseline
    assert ev.metrics["mase"] < 0.9 * ev.baseline_metrics["mase"]
    assert ev.rows == 4 * 12 * 4


def test_types_reconcile_to_the_total(model: RevenueForecast) -> None:
    total = model.forecasts["total"]["mean"]
    parts = sum(model.forecasts[kind]["mean"] for kind in TYPES)
    np.testing.assert_allclose(parts, total, rtol=1e-9)
    for kind in ("total", *TYPES):
        fc = model.forecasts[kind]
        assert np.all(fc["lo_95"] <= fc["mean"]) and np.all(fc["mean"] <= fc["hi_95"])
        assert np.all(fc["lo_95"] >= 0)


def test_daily_forecast_adds_up_to_the_months(model: RevenueForecast) -> None:
    month_days = int(model.periods[0].days_in_month)
    daily = model.predict([{"frequency": "daily", "kelompok": "pnbp", "horizon": month_days}])[0]
    assert len(daily["forecast"]) == month_days
    assert daily["sum"]["mean"] == pytest.approx(model.forecasts["pnbp"]["mean"][0], rel=1e-9)
    # no revenue is booked on a Sunday
    sundays = [r for r in daily["forecast"] if pd.Timestamp(r["tanggal"]).isoweekday() == 7]
    assert sundays and all(r["mean"] == 0 for r in sundays)


def test_year_end_landing_against_the_target(ml_settings: Settings, model: RevenueForecast) -> None:
    monthly, target, last_day = load_monthly(ml_settings)
    landing = year_end_landing(ml_settings)
    year = last_day.year
    assert landing["year"] == year and landing["as_of"] == last_day.isoformat()
    assert landing["target"] == pytest.approx(target.loc[year, "total"])
    actual = monthly.loc[monthly.index.year == year, "total"].sum()
    assert landing["actual_to_date"] == pytest.approx(actual)
    lo, mean, hi = (landing["landing"][k] for k in ("lo_95", "mean", "hi_95"))
    assert actual <= lo <= mean <= hi
    # the landing is within 15% of the APBN target for the synthetic year
    assert 0.85 < landing["landing_to_target"] < 1.15
    assert set(landing["by_type"]) == {"total", *TYPES}


def test_predict_and_explain(model: RevenueForecast) -> None:
    case = model.example()
    result = model.predict([case])[0]
    assert len(result["forecast"]) == case["horizon"]
    explanation = model.explain([case])[0]
    assert sum(explanation.values()) == pytest.approx(result["sum"]["mean"], rel=1e-9)
    magnitudes = [abs(v) for v in explanation.values()]
    assert magnitudes == sorted(magnitudes, reverse=True)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ({"frequency": "weekly"}, "frequency"),
        ({"kelompok": "bea"}, "kelompok"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": "six"}, "horizon"),
        ({"frequency": "daily", "horizon": 400}, "horizon"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_cases_name_the_field(model: RevenueForecast, case: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        model.predict([case])
    assert field in info.value.problems


def test_platform_fixture_is_the_trained_home(trained_platform: Path) -> None:
    assert (trained_platform / "models" / "forecasting").is_dir()
