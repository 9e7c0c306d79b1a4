"""Revenue trajectory: monthly and daily state revenue by type, year-end landing vs the target.

Monthly: the ensemble of :func:`treasury.ml.forecasting.forecast` on each revenue type
(perpajakan, pnbp, hibah from ``mart_apbn_bulanan``) and on the total; the types are reconciled
to the directly forecast total proportionally (each type's mean and bounds scaled by total /
sum of types), so the types always add up to the total.

Daily: a month's forecast is spread over its days by a calendar share model (LightGBM on
:mod:`treasury.ml.forecasting.calendar` features: working day, weekday, paydays, the tax
deadlines of the 10th and 15th, month end, days around holidays and cuti bersama), trained on
each historical day's share of its month in ``mart_penerimaan_harian``; shares are normalised
within each month, so daily forecasts add up to the monthly ones.

Year-end landing: realised months of the year + the forecast of the rest (the current, partial
month counts as the larger of its forecast and what is already booked); its interval sums the
monthly bounds (errors taken as fully correlated across months: conservative). The target is the
APBN revenue ceiling (``pagu``) of the year.

Evaluation: rolling origin (4 origins 6 months apart, 12 months ahead each) against seasonal naive, sMAPE and
MASE averaged over the total and the types; and the daily shares against a flat share over the
working days on the last 12 months.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from treasury.config import Settings
from treasury.ml.base import Evaluation, InputError, Model
from treasury.ml.forecasting.calendar import FEATURES, day_features
from treasury.ml.forecasting.ensemble import forecast, mase, seasonal_naive, smape

TYPES: tuple[str, ...] = ("perpajakan", "pnbp", "hibah")
SERIES: tuple[str, ...] = ("total", *TYPES)
LEVELS = (80, 95)
KEYS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")
HORIZON_MONTHS = 24
FOLDS = 4
FOLD_STEP = 6
FOLD_H = 12


def load_monthly(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame, dt.date]:
    """Monthly revenue by type (columns :data:`SERIES`, a month-start index), the targets
    (``pagu`` by year and type) and the last day with data."""
    from treasury.warehouse.serving import open_snapshot

    con = open_snapshot(settings)
    try:
        rows = con.sql(
            "SELECT tahun, bulan, kelompok, SUM(realisasi) AS realisasi FROM mart_apbn_bulanan "
            "WHERE pos = 'pendapatan' GROUP BY ALL"
        ).df()
        targets = con.sql(
            "SELECT tahun, kelompok, SUM(pagu) AS pagu FROM (SELECT DISTINCT tahun, kelompok, "
            "subkelompok, pagu FROM mart_apbn_bulanan WHERE pos = 'pendapatan') GROUP BY ALL"
        ).df()
        last_day = con.execute("SELECT MAX(tanggal) FROM mart_penerimaan_harian").fetchone()
    finally:
        con.close()
    if rows.empty or last_day is None or last_day[0] is None:
        raise FileNotFoundError("mart_apbn_bulanan has no revenue: run the pipeline first")
    rows["periode"] = pd.to_datetime({"year": rows["tahun"], "month": rows["bulan"], "day": 1})
    monthly = rows.pivot_table(
        index="periode", columns="kelompok", values="realisasi", aggfunc="sum", fill_value=0
    ).astype(float)
    for kind in TYPES:
        if kind not in monthly:
            monthly[kind] = 0.0
    monthly = monthly[list(TYPES)]
    monthly = monthly.reindex(
        pd.date_range(monthly.index.min(), monthly.index.max(), freq="MS"), fill_value=0.0
    )
    monthly.insert(0, "total", monthly.sum(axis=1))
    target = targets.pivot_table(
        index="tahun", columns="kelompok", values="pagu", aggfunc="sum", fill_value=0
    ).astype(float)
    target["total"] = target.sum(axis=1)
    return monthly, target, last_day[0]


def load_daily(settings: Settings) -> pd.DataFrame:
    """Daily revenue by type (columns :data:`SERIES`), every calendar day (0 when none)."""
    from treasury.warehouse.serving import open_snapshot

    con = open_snapshot(settings)
    try:
        rows = con.sql(
            "SELECT tanggal, kelompok, SUM(realisasi) AS realisasi FROM mart_penerimaan_harian "
            "GROUP BY ALL"
        ).df()
    finally:
        con.close()
    rows["tanggal"] = pd.to_datetime(rows["tanggal"])
    daily = rows.pivot_table(
        index="tanggal", columns="kelompok", values="realisasi", aggfunc="sum", fill_value=0
    ).astype(float)
    for kind in TYPES:
        if kind not in daily:
            daily[kind] = 0.0
    daily = daily[list(TYPES)]
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max()), fill_value=0.0)
    daily.insert(0, "total", daily.sum(axis=1))
    return daily


def reconcile(forecasts: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, np.ndarray]]:
    """Scale the types' forecasts so their means add up to the total's (proportional)."""
    total = forecasts["total"]["mean"]
    parts = sum(forecasts[kind]["mean"] for kind in TYPES)
    factor = np.divide(total, parts, out=np.ones_like(total), where=parts > 0)
    out = {"total": forecasts["total"]}
    for kind in TYPES:
        out[kind] = {key: forecasts[kind][key] * factor for key in KEYS}
    return out


def forecast_monthly(monthly: pd.DataFrame, h: int) -> dict[str, dict[str, np.ndarray]]:
    """Reconciled ensemble forecasts of every series, ``h`` months after the index's end."""
    raw = {
        name: forecast(monthly[name].to_numpy(), h, 12, LEVELS, nonnegative=True) for name in SERIES
    }
    return reconcile(raw)


class ShareModel:
    """How a month's revenue spreads over its days (LightGBM on calendar features)."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.model: Any = None

    def fit(self, daily: pd.Series) -> ShareModel:
        """Fit on each day's share of its month (complete months only)."""
        import lightgbm as lgb

        features = day_features(daily.index[0].date(), daily.index[-1].date())
        month = pd.DatetimeIndex(daily.index).to_period("M")
        totals = daily.groupby(month).transform("sum")
        share = np.divide(
            daily.to_numpy(), totals.to_numpy(), out=np.zeros(len(daily)), where=totals > 0
        )
        self.model = lgb.LGBMRegressor(
            n_estimators=200,
            learning_rate=0.05,
            num_leaves=15,
            min_child_samples=10,
            random_state=self.seed,
            verbose=-1,
            n_jobs=1,
        ).fit(features[list(FEATURES)], share)
        return self

    def shares(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Each day's share of its month (non-negative, adding up to 1 within each month)."""
        features = day_features(days[0].date(), days[-1].date()).reindex(days)
        raw = np.maximum(self.model.predict(features[list(FEATURES)]), 0.0)
        raw[features["working"].to_numpy() == 0] = 0.0
        frame = pd.Series(raw, index=days)
        sums = frame.groupby(days.to_period("M")).transform("sum").to_numpy()
        flat = features["working"].to_numpy()
        flat_sums = pd.Series(flat, index=days).groupby(days.to_period("M")).transform("sum")
        fallback = np.divide(flat, flat_sums.to_numpy(), out=np.zeros(len(days)), where=flat > 0)
        return np.where(sums > 0, np.divide(raw, np.where(sums > 0, sums, 1.0)), fallback)


def flat_shares(days: pd.DatetimeIndex) -> np.ndarray:
    """The baseline: a month spread evenly over its working days."""
    features = day_features(days[0].date(), days[-1].date()).reindex(days)
    flat = features["working"].to_numpy()
    sums = pd.Series(flat, index=days).groupby(days.to_period("M")).transform("sum").to_numpy()
    return np.divide(flat, sums, out=np.zeros(len(days)), where=sums > 0)


def rolling_origin(monthly: pd.DataFrame) -> dict[str, Any]:
    """sMAPE and MASE of the reconciled ensemble and of seasonal naive, averaged over folds and
    series, 12 months ahead from 4 origins 6 months apart (the last ending at the data's end)."""
    n = len(monthly)
    origins = [n - FOLD_H - FOLD_STEP * k for k in range(FOLDS)]
    origins = sorted(o for o in origins if o >= 36)
    scores: dict[str, list[float]] = {"smape": [], "mase": [], "base_smape": [], "base_mase": []}
    for origin in origins:
        train = monthly.iloc[:origin]
        test = monthly.iloc[origin : origin + FOLD_H]
        fc = forecast_monthly(train, FOLD_H)
        for name in SERIES:
            actual = test[name].to_numpy()
            history = train[name].to_numpy()
            naive = seasonal_naive(history, FOLD_H, 12)
            scores["smape"].append(smape(actual, fc[name]["mean"]))
            scores["mase"].append(mase(actual, fc[name]["mean"], history, 12))
            scores["base_smape"].append(smape(actual, naive))
            scores["base_mase"].append(mase(actual, naive, history, 12))
    out: dict[str, Any] = {key: float(np.nanmean(values)) for key, values in scores.items()}
    out["origins"] = [str(pd.DatetimeIndex(monthly.index)[o].date()) for o in origins]
    return out


def _month_label(period: pd.Timestamp) -> str:
    return f"{period.year}-{period.month:02d}"


class RevenueForecast(Model):
    """Monthly and daily revenue by type with 80/95% intervals and the year-end landing."""

    name: ClassVar[str] = "forecasting"
    title: ClassVar[dict[str, str]] = {
        "id": "Proyeksi penerimaan negara",
        "en": "Revenue trajectory",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "Proyeksi penerimaan bulanan dan harian per jenis (perpajakan, PNBP, hibah) dengan "
        "interval 80% dan 95%, serta outlook akhir tahun terhadap target APBN. Ensemble ETS, "
        "ARIMA, Theta dan CES; efek kalender untuk data harian.",
        "en": "Monthly and daily revenue by type (taxes, non-tax revenue, grants) with 80% and "
        "95% intervals and the year-end landing against the APBN target. An ensemble of ETS, "
        "ARIMA, Theta and CES (median); calendar effects for daily data.",
    }
    labels: ClassVar[str] = "realised revenue of later months (rolling origin), no labels"
    features = ["monthly revenue history by type", *FEATURES]  # noqa: RUF012

    def train(self, settings: Settings, seed: int = 7) -> RevenueForecast:
        """Fit (:meth:`fit`), then evaluate by rolling origin."""
        self.fit(settings, seed)
        self.evaluation = self._evaluate(self.complete, self.daily_history, seed)
        return self

    def fit(self, settings: Settings, seed: int = 7) -> RevenueForecast:
        """Fit on all complete months; forecast 24 months and spread them over days."""
        started = time.perf_counter()
        monthly, target, last_day = load_monthly(settings)
        last_day = pd.Timestamp(last_day)
        month_end = last_day + pd.offsets.MonthEnd(0)
        partial = last_day < month_end
        complete = monthly.iloc[:-1] if partial else monthly
        self.last_day = last_day.date()
        self.monthly = monthly
        self.complete = complete
        self.target = target
        self.forecasts = forecast_monthly(complete, HORIZON_MONTHS)
        self.periods = pd.date_range(
            complete.index[-1] + pd.offsets.MonthBegin(1), periods=HORIZON_MONTHS, freq="MS"
        )
        daily = load_daily(settings)
        daily = daily.loc[: complete.index[-1] + pd.offsets.MonthEnd(0)]
        self.share_model = ShareModel(seed).fit(daily["total"])
        days = pd.date_range(self.periods[0], self.periods[-1] + pd.offsets.MonthEnd(0))
        self.day_shares = pd.Series(self.share_model.shares(days), index=days)
        self.flat_day_shares = pd.Series(flat_shares(days), index=days)
        self.daily_history = daily
        self.data_version = (
            f"serving snapshot, revenue to {self.last_day.isoformat()} "
            f"({len(complete)} complete months)"
        )
        self.fit_seconds = time.perf_counter() - started
        return self

    def _evaluate(self, complete: pd.DataFrame, daily: pd.DataFrame, seed: int) -> Evaluation:
        scores = rolling_origin(complete)
        # daily shares: fit before the last 12 months, test on them
        cut = complete.index[-12]
        before, after = daily.loc[: cut - pd.Timedelta(days=1)], daily.loc[cut:]
        after_days = pd.DatetimeIndex(after.index)
        shares = ShareModel(seed).fit(before["total"]).shares(after_days)
        flat = flat_shares(after_days)
        monthly_total = after["total"].groupby(after_days.to_period("M")).transform("sum")
        actual = after["total"].to_numpy()
        model_daily = shares * monthly_total.to_numpy()
        flat_daily = flat * monthly_total.to_numpy()
        mae_model = float(np.mean(np.abs(actual - model_daily)))
        mae_flat = float(np.mean(np.abs(actual - flat_daily)))
        return Evaluation(
            method=f"rolling origin, {len(scores['origins'])} origins x 12 months "
            f"({', '.join(scores['origins'])}); daily shares on the last 12 months",
            metrics={
                "mase": round(scores["mase"], 4),
                "smape": round(scores["smape"], 3),
                "daily_mae_rel": round(mae_model / max(float(np.mean(actual)), 1.0), 4),
            },
            baseline="seasonal naive (daily: flat over working days)",
            baseline_metrics={
                "mase": round(scores["base_mase"], 4),
                "smape": round(scores["base_smape"], 3),
                "daily_mae_rel": round(mae_flat / max(float(np.mean(actual)), 1.0), 4),
            },
            primary_metric="mase",
            higher_is_better=False,
            rows=len(scores["origins"]) * FOLD_H * len(SERIES),
            extra={"series": list(SERIES), "horizon_months": FOLD_H},
        )

    def evaluate(self) -> Evaluation:
        """The rolling-origin evaluation computed at training."""
        return self.evaluation

    # -- prediction ------------------------------------------------------------------------

    def example(self) -> dict[str, Any]:
        """Six months of total revenue."""
        return {"frequency": "monthly", "kelompok": "total", "horizon": 6}

    def _validate(self, case: dict[str, Any]) -> tuple[str, str, int]:
        problems: dict[str, str] = {}
        frequency = case.get("frequency", "monthly")
        kind = case.get("kelompok", "total")
        horizon = case.get("horizon", 30 if frequency == "daily" else 12)
        if frequency not in ("monthly", "daily"):
            problems["frequency"] = "must be 'monthly' or 'daily'"
        if kind not in SERIES:
            problems["kelompok"] = f"must be one of: {', '.join(SERIES)}"
        limit = HORIZON_MONTHS if frequency != "daily" else 366
        if isinstance(horizon, bool) or not isinstance(horizon, int | float):
            problems["horizon"] = "must be a whole number"
        elif int(horizon) != horizon or not 1 <= horizon <= limit:
            problems["horizon"] = f"must be a whole number from 1 to {limit}"
        unknown = sorted(set(case) - {"frequency", "kelompok", "horizon"})
        if unknown:
            problems[unknown[0]] = "unknown field; use frequency, kelompok and horizon"
        if problems:
            raise InputError(problems)
        return str(frequency), str(kind), int(horizon)

    def monthly_table(self, kind: str, horizon: int) -> list[dict[str, Any]]:
        """The first ``horizon`` months' forecast of one series."""
        fc = self.forecasts[kind]
        return [
            {"periode": _month_label(p), **{k: float(fc[k][i]) for k in KEYS}}
            for i, p in enumerate(self.periods[:horizon])
        ]

    def daily_table(self, kind: str, horizon: int) -> list[dict[str, Any]]:
        """The first ``horizon`` days' forecast of one series (after the last complete month)."""
        start = self.periods[0]
        shares = self.day_shares.iloc[:horizon]
        days = pd.DatetimeIndex(shares.index)
        index = np.asarray((days.year - start.year) * 12 + days.month - start.month)
        fc = self.forecasts[kind]
        values = {k: shares.to_numpy() * fc[k][index] for k in KEYS}
        labels = days.strftime("%Y-%m-%d")
        return [
            {"tanggal": label, **{k: float(values[k][i]) for k in KEYS}}
            for i, label in enumerate(labels)
        ]

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per case ``{"frequency", "kelompok", "horizon"}``: the forecast rows (rupiah)."""
        out = []
        for case in cases:
            frequency, kind, horizon = self._validate(case)
            rows = (
                self.monthly_table(kind, horizon)
                if frequency == "monthly"
                else self.daily_table(kind, horizon)
            )
            out.append(
                {
                    "frequency": frequency,
                    "kelompok": kind,
                    "unit": "rupiah",
                    "forecast": rows,
                    "sum": {k: float(sum(r[k] for r in rows)) for k in KEYS},
                }
            )
        return out

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """The forecast sum split into level (last 12 months' average), season (same months
        a year earlier against that average), trend and the rest, and calendar for daily."""
        out = []
        for case, result in zip(cases, self.predict(cases), strict=True):
            frequency, kind, horizon = self._validate(case)
            history = self.complete[kind].to_numpy()
            months = horizon if frequency == "monthly" else None
            level = float(np.mean(history[-12:]))
            if months is None:
                flat_series = self.flat_day_shares.iloc[:horizon]
                days = pd.DatetimeIndex(flat_series.index)
                month_index = np.asarray(
                    (days.year - days[0].year) * 12 + days.month - days[0].month
                )
                flat = flat_series.to_numpy()
                fc_month = self.forecasts[kind]["mean"][month_index]
                uniform = float(np.sum(flat * fc_month))
                calendar_effect = float(result["sum"]["mean"]) - uniform
                total = uniform
                span = np.unique(month_index)
                weights = np.array([np.sum(flat[month_index == m]) for m in span])
                last_year = np.array([history[-12 + (int(m) % 12)] for m in span])
                base = level * float(np.sum(weights))
                season = float(np.sum(weights * (last_year - level)))
            else:
                calendar_effect = 0.0
                total = float(result["sum"]["mean"])
                base = level * months
                last_year = np.resize(history[-12:], months)
                season = float(np.sum(last_year - level))
            parts = {
                "level (average of the last 12 months)": base,
                "season (same months a year earlier)": season,
                "trend and other": total - base - season,
            }
            if months is None:
                parts["calendar (working days, paydays, tax deadlines)"] = calendar_effect
            out.append(dict(sorted(parts.items(), key=lambda item: -abs(item[1]))))
        return out

    # -- year-end landing ------------------------------------------------------------------

    def landing(self, year: int | None = None) -> dict[str, Any]:
        """Year-end landing of ``year`` (default: the year of the last data) against target."""
        year = year or self.last_day.year
        monthly = self.monthly
        months = pd.DatetimeIndex(monthly.index)
        complete_months = pd.DatetimeIndex(self.complete.index)
        out: dict[str, Any] = {"year": year, "as_of": self.last_day.isoformat(), "by_type": {}}
        for kind in SERIES:
            actual = monthly.loc[months.year == year, kind]
            realised_complete = self.complete.loc[complete_months.year == year, kind]
            bounds = {k: float(realised_complete.sum()) for k in KEYS}
            fc = self.forecasts[kind]
            for i, period in enumerate(self.periods):
                if period.year != year:
                    continue
                booked = float(actual.get(period, 0.0))
                for k in KEYS:
                    bounds[k] += max(float(fc[k][i]), booked)
            targets = dict(zip(self.target.index.astype(int), self.target[kind], strict=True))
            target = float(targets[year]) if year in targets else None
            out["by_type"][kind] = {
                "actual_to_date": float(actual.sum()),
                "landing": bounds,
                "target": target,
                "landing_to_target": bounds["mean"] / target if target else None,
            }
        total = out["by_type"]["total"]
        out.update(
            actual_to_date=total["actual_to_date"],
            landing=total["landing"],
            target=total["target"],
            landing_to_target=total["landing_to_target"],
        )
        return out


MODEL = RevenueForecast
