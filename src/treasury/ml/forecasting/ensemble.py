"""A forecast of any series: a combination of statsforecast's AutoETS, AutoARIMA, Theta and CES.

:func:`forecast` fits each member on the series, combines the members' point forecasts and
interval bounds and returns numpy arrays. The combination is chosen by measurement on the M3
monthly and Tourism monthly sets (``bench/forecasting.py``; figures in ``README.md``):
the default (``"median"``) takes, per horizon, the median of the four members, which is robust to
one member going astray where the plain average is pulled along.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: The ensemble's members, by short name.
MEMBERS: tuple[str, ...] = ("ets", "arima", "theta", "ces")
#: Further members measured by the benchmark (not in the default ensemble).
EXTRA_MEMBERS: tuple[str, ...] = ("otm", "damped")
COMBINATIONS: tuple[str, ...] = ("median", "mean", "trimmed")
DEFAULT_COMBINATION = "median"


def _member(name: str, season_length: int) -> Any:
    from statsforecast.models import (
        AutoARIMA,
        AutoCES,
        AutoETS,
        DynamicOptimizedTheta,
        OptimizedTheta,
    )

    makers: dict[str, Callable[[], Any]] = {
        "ets": lambda: AutoETS(season_length=season_length),
        "arima": lambda: AutoARIMA(season_length=season_length),
        "theta": lambda: DynamicOptimizedTheta(season_length=season_length),
        "ces": lambda: AutoCES(season_length=season_length),
        "otm": lambda: OptimizedTheta(season_length=season_length),
        "damped": lambda: AutoETS(season_length=season_length, damped=True),
    }
    if name not in makers:
        raise ValueError(f"unknown member {name!r}; choose from {', '.join(makers)}")
    return makers[name]()


def _keys(level: Sequence[int]) -> list[str]:
    return ["mean"] + [f"{side}_{lv}" for lv in level for side in ("lo", "hi")]


def seasonal_naive(y: Array, h: int, season_length: int) -> Array:
    """The last season repeated (the last value when the series is shorter than a season)."""
    y = np.asarray(y, dtype=float)
    m = season_length if season_length > 1 and len(y) >= season_length else 1
    last = y[-m:]
    return np.asarray(np.resize(last, h), dtype=float)


def _fallback(y: Array, h: int, season_length: int, level: Sequence[int]) -> dict[str, Array]:
    """Seasonal naive with normal intervals from its in-sample errors (short or flat series)."""
    from scipy.stats import norm

    mean = seasonal_naive(y, h, season_length)
    m = season_length if len(y) > season_length else 1
    errors = y[m:] - y[:-m] if len(y) > m else np.zeros(1)
    sigma = float(np.std(errors)) if len(errors) > 1 else 0.0
    steps = np.sqrt(np.floor(np.arange(h) / max(m, 1)) + 1)
    out = {"mean": mean}
    for lv in level:
        z = float(norm.ppf(0.5 + lv / 200))
        out[f"lo_{lv}"] = mean - z * sigma * steps
        out[f"hi_{lv}"] = mean + z * sigma * steps
    return out


def member_forecasts(
    y: Array,
    h: int,
    season_length: int,
    level: Sequence[int] = (80, 95),
    members: Sequence[str] = MEMBERS,
) -> dict[str, dict[str, Array]]:
    """Each member's forecast (``mean``, ``lo_80``...); a member that fails is left out."""
    y = np.asarray(y, dtype=float)
    levels = [int(lv) for lv in level]
    out: dict[str, dict[str, Array]] = {}
    for name in members:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                raw = _member(name, season_length).forecast(y=y, h=h, level=levels)
        except Exception:  # a member that cannot fit this series (too short, constant...)
            continue
        result = {"mean": np.asarray(raw["mean"], dtype=float)}
        for lv in levels:
            result[f"lo_{lv}"] = np.asarray(raw[f"lo-{lv}"], dtype=float)
            result[f"hi_{lv}"] = np.asarray(raw[f"hi-{lv}"], dtype=float)
        if all(np.all(np.isfinite(v)) for v in result.values()):
            out[name] = result
    return out


def combine(
    members: dict[str, dict[str, Array]], how: str = DEFAULT_COMBINATION
) -> dict[str, Array]:
    """Combine member forecasts key by key: ``median``, ``mean``, or ``trimmed`` (drop the
    highest and lowest member per horizon, average the rest)."""
    if how not in COMBINATIONS:
        raise ValueError(f"unknown combination {how!r}; choose from {', '.join(COMBINATIONS)}")
    keys = next(iter(members.values())).keys()
    out: dict[str, Array] = {}
    for key in keys:
        stack = np.vstack([m[key] for m in members.values()])
        if how == "median":
            out[key] = np.median(stack, axis=0)
        elif how == "mean" or len(stack) < 3:
            out[key] = stack.mean(axis=0)
        else:
            ordered = np.sort(stack, axis=0)
            out[key] = ordered[1:-1].mean(axis=0)
    return out


def forecast(
    y: Sequence[float] | Array,
    h: int,
    season_length: int,
    level: Sequence[int] = (80, 95),
    *,
    how: str = DEFAULT_COMBINATION,
    members: Sequence[str] = MEMBERS,
    nonnegative: bool = False,
) -> dict[str, Array]:
    """Forecast ``h`` steps of ``y`` with the ensemble; ``{"mean", "lo_80", "hi_80", ...}``.

    Series too short for the members (fewer than two seasons plus a few points, or constant)
    get seasonal naive with normal intervals. ``nonnegative`` clips every output at zero
    (revenue, cash). Intervals are the combination of the members' bounds, widened where
    needed so that ``lo_95 <= lo_80 <= mean <= hi_80 <= hi_95``.
    """
    values = np.asarray(y, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError("y must be a non-empty one-dimensional series")
    if not np.all(np.isfinite(values)):
        raise ValueError("y has missing or infinite values")
    if h < 1:
        raise ValueError("h must be at least 1")
    levels = sorted(int(lv) for lv in level)
    fitted: dict[str, dict[str, Array]] = {}
    if len(values) >= 2 * max(season_length, 1) + 4 and np.ptp(values) > 0:
        fitted = member_forecasts(values, h, season_length, levels, members)
    result = combine(fitted, how) if fitted else _fallback(values, h, season_length, levels)
    mean = result["mean"]
    inner_lo, inner_hi = mean, mean
    for lv in levels:  # narrowest first: each band contains the previous one
        result[f"lo_{lv}"] = np.minimum(result[f"lo_{lv}"], inner_lo)
        result[f"hi_{lv}"] = np.maximum(result[f"hi_{lv}"], inner_hi)
        inner_lo, inner_hi = result[f"lo_{lv}"], result[f"hi_{lv}"]
    if nonnegative:
        result = {k: np.maximum(v, 0.0) for k, v in result.items()}
    return {k: result[k] for k in _keys(levels)}


def smape(actual: Array, predicted: Array) -> float:
    """Symmetric MAPE in percent as the M3 competition scores it: mean of 200|y-f|/(|y|+|f|)."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    denominator = np.abs(actual) + np.abs(predicted)
    ratio = np.divide(
        np.abs(actual - predicted), denominator, out=np.zeros_like(actual), where=denominator > 0
    )
    return float(200 * ratio.mean())


def mase(actual: Array, predicted: Array, insample: Array, season_length: int) -> float:
    """Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive."""
    insample = np.asarray(insample, float)
    m = season_length if len(insample) > season_length else 1
    scale = float(np.mean(np.abs(insample[m:] - insample[:-m])))
    error = float(np.mean(np.abs(np.asarray(actual, float) - np.asarray(predicted, float))))
    return error / scale if scale > 0 else float("nan")
