"""Optimum cash buffer of the treasury single account.

Flows (working days, from ``mart_kas_harian`` with the financing transactions taken apart):
*operational* net outflow = spending (SP2D, TKD) - revenue; debt redemptions (principal
repayments, accounts 721111/721112/721211/722xxx/723xxx) are *scheduled* (their maturities are
known in advance) and other financing (issuance, investments) is planned funding, so neither is
forecast.

Forecast: inflow and outflow per working day, each a LightGBM model of the day's flow relative
to the trailing-year average daily flow (calendar features of :mod:`treasury.ml.forecasting.calendar`
plus the month), times the level at the forecast origin.

Buffer for a horizon of H working days and a confidence c = the c-quantile of the error of the
cumulative operational net-outflow forecast over H days (actual - forecast, from an
out-of-sample backtest) + the debt redemptions scheduled in those H days. Cost-risk view: with a
carry cost c_carry per rupiah held idle and a shortfall cost c_short per rupiah short, the
optimal confidence is c_short / (c_short + c_carry) (the newsvendor quantile).

Backtest: expanding window, one forecast model per calendar year fitted on the years before;
each working day's buffer uses only errors of windows already closed. A breach is a day whose
next H days' net outflow exceeded forecast + buffer. Kupiec's proportion-of-failures test
checks the breach rate against 1 - c. Baseline: the rule of thumb "hold one month of outflows"
(the previous 21 working days' outflows), compared on breaches and average idle balance.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from treasury.config import Settings
from treasury.ml.base import Evaluation, InputError, Model
from treasury.ml.explain import largest_first
from treasury.ml.forecasting.calendar import FEATURES, day_features

REDEMPTION_PREFIXES = ("721111", "721112", "721211", "722", "723")
MONTH_DAYS = 21  # working days in a month: the rule of thumb's "one month of outflows"
DEFAULT_HORIZON = 20
DEFAULT_CONFIDENCE = 0.95
MAX_HORIZON = 120
FORECAST_DAYS = 120
BACKTEST_YEARS = 3


# -- pure functions (tested on constructed series) -------------------------------------------


def optimal_quantile(c_short: float, c_carry: float) -> float:
    """The confidence that minimises expected carry + shortfall cost: c_short/(c_short+c_carry)."""
    if c_short < 0 or c_carry < 0 or c_short + c_carry <= 0:
        raise ValueError("costs must be non-negative and not both zero")
    return c_short / (c_short + c_carry)


def kupiec_pof(breaches: int, days: int, rate: float) -> tuple[float, float]:
    """Kupiec's proportion-of-failures likelihood ratio and its p-value (chi-square, 1 df).

    ``breaches`` out of ``days`` against the expected breach ``rate`` (1 - confidence).
    """
    from scipy.stats import chi2

    if days <= 0 or not 0 < rate < 1 or not 0 <= breaches <= days:
        raise ValueError("need days > 0, 0 < rate < 1 and 0 <= breaches <= days")
    x, n, p = breaches, days, rate
    observed = x / n

    def loglik(q: float) -> float:
        out = 0.0
        if n - x:
            out += (n - x) * np.log(1 - q) if q < 1 else -np.inf
        if x:
            out += x * np.log(q) if q > 0 else -np.inf
        return float(out)

    ratio = max(-2.0 * (loglik(p) - loglik(observed)), 0.0)
    return ratio, float(chi2.sf(ratio, 1))


def window_sums(values: np.ndarray, horizon: int) -> np.ndarray:
    """Sums of ``horizon`` consecutive values starting at each position (length n - h + 1)."""
    cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(values, dtype=float))])
    return cumulative[horizon:] - cumulative[:-horizon]


def backtest_buffer(
    actual_net: np.ndarray,
    forecast_net: np.ndarray,
    redemptions: np.ndarray,
    horizon: int,
    confidence: float,
    warmup: int,
) -> dict[str, Any]:
    """Breaches of the quantile buffer over the days after ``warmup`` origins.

    At origin t the buffer is the ``confidence`` quantile of the errors of windows that closed
    before t (origins s with s + horizon <= t, at least ``warmup`` of them) plus the scheduled
    redemptions of t's window; a breach is a window whose actual net outflow (with the
    redemptions) exceeded forecast + buffer. Returns per-origin arrays and the summary.
    """
    actual = window_sums(actual_net, horizon)
    predicted = window_sums(forecast_net, horizon)
    scheduled = window_sums(redemptions, horizon)
    errors = actual - predicted
    origins = []
    buffers = []
    for t in range(len(errors)):
        closed = t - horizon + 1  # origins 0..t-horizon have closed windows
        if closed < warmup:
            continue
        origins.append(t)
        buffers.append(float(np.quantile(errors[:closed], confidence)) + scheduled[t])
    index = np.asarray(origins, dtype=int)
    buffer = np.asarray(buffers)
    need = actual[index] + scheduled[index]
    held = predicted[index] + buffer
    breach = need > held
    n = len(index)
    x = int(breach.sum())
    lr, pvalue = kupiec_pof(x, n, 1 - confidence) if n else (float("nan"), float("nan"))
    return {
        "origins": index,
        "buffer": buffer,
        "held": held,
        "need": need,
        "breach": breach,
        "days": n,
        "breaches": x,
        "breach_rate": x / n if n else float("nan"),
        "kupiec_lr": lr,
        "kupiec_p": pvalue,
        "avg_buffer": float(buffer.mean()) if n else float("nan"),
        "avg_idle": float(np.maximum(held - need, 0).mean()) if n else float("nan"),
    }


# -- data and the flow forecast ---------------------------------------------------------------


def load_flows(settings: Settings) -> pd.DataFrame:
    """Per working day: ``inflow`` (revenue), ``outflow`` (spending) and ``redemption`` (debt
    principal), rupiah; days without records are 0."""
    from treasury.reference.fiscal_calendar import calendar
    from treasury.warehouse.serving import open_snapshot

    like = " OR ".join(f"kode_akun LIKE '{p}%'" for p in REDEMPTION_PREFIXES)
    con = open_snapshot(settings)
    try:
        kas = con.sql("SELECT tanggal, penerimaan, pengeluaran FROM mart_kas_harian").df()
        fin = con.sql(
            "SELECT tanggal, "
            "SUM(CASE WHEN nilai > 0 THEN nilai ELSE 0 END) AS fin_in, "
            "SUM(CASE WHEN nilai < 0 THEN -nilai ELSE 0 END) AS fin_out, "
            f"SUM(CASE WHEN nilai < 0 AND ({like}) THEN -nilai ELSE 0 END) AS redemption "
            "FROM clean_span_pembiayaan GROUP BY tanggal"
        ).df()
    finally:
        con.close()
    if kas.empty:
        raise FileNotFoundError("mart_kas_harian is empty: run the pipeline first")
    frame = kas.merge(fin, on="tanggal", how="left").fillna(0.0)
    frame["tanggal"] = pd.to_datetime(frame["tanggal"])
    frame = frame.set_index("tanggal").sort_index()
    days = calendar(frame.index[0].date(), frame.index[-1].date()).to_pandas()
    working = pd.DatetimeIndex(pd.to_datetime(days.loc[days["hari_kerja"], "tanggal"]))
    frame = frame.reindex(working.union(frame.index), fill_value=0.0)
    out = pd.DataFrame(index=frame.index)
    out["inflow"] = (frame["penerimaan"] - frame["fin_in"]).clip(lower=0).astype(float)
    out["outflow"] = (frame["pengeluaran"] - frame["fin_out"]).clip(lower=0).astype(float)
    out["redemption"] = frame["redemption"].astype(float)
    return out


def _features(days: pd.DatetimeIndex) -> pd.DataFrame:
    features = day_features(days[0].date(), days[-1].date()).reindex(days)
    features["month"] = days.month.to_numpy(float)
    return features[[*FEATURES, "month"]]


class FlowModel:
    """Daily inflow and outflow relative to the trailing-year level (LightGBM)."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.models: dict[str, Any] = {}
        self.level: dict[str, float] = {}

    def fit(self, flows: pd.DataFrame) -> FlowModel:
        """Fit each flow's ratio to its trailing 250-working-day mean (known the day before)."""
        import lightgbm as lgb

        features = _features(pd.DatetimeIndex(flows.index))
        for column in ("inflow", "outflow"):
            series = flows[column]
            trailing = series.rolling(250, min_periods=60).mean().shift(1)
            ok = trailing.notna() & (trailing > 0)
            ratio = series[ok] / trailing[ok]
            self.models[column] = lgb.LGBMRegressor(
                n_estimators=150,
                learning_rate=0.05,
                num_leaves=15,
                min_child_samples=10,
                random_state=self.seed,
                verbose=-1,
                n_jobs=1,
            ).fit(features[ok], ratio)
            self.level[column] = float(series.iloc[-250:].mean())
        return self

    def predict(self, days: pd.DatetimeIndex) -> pd.DataFrame:
        """Mean inflow and outflow on ``days`` (working days after the fitted history)."""
        features = _features(days)
        out = pd.DataFrame(index=days)
        for column, model in self.models.items():
            ratio = np.maximum(model.predict(features), 0.0)
            out[column] = ratio * self.level[column]
        return out


def out_of_sample(flows: pd.DataFrame, years: list[int], seed: int) -> pd.DataFrame:
    """Forecast inflow/outflow of each year in ``years`` from a model fitted on earlier days."""
    parts = []
    days = pd.DatetimeIndex(flows.index)
    for year in years:
        history = flows.loc[days.year < year]
        target = flows.loc[days.year == year]
        if len(history) < 250 or target.empty:
            continue
        parts.append(FlowModel(seed).fit(history).predict(pd.DatetimeIndex(target.index)))
    return pd.concat(parts)


def _working_days_after(last: pd.Timestamp, n: int) -> pd.DatetimeIndex:
    from treasury.reference.fiscal_calendar import calendar

    days = calendar(last.date() + pd.Timedelta(days=1), last.date() + pd.Timedelta(days=2 * n + 30))
    table = days.to_pandas()
    return pd.DatetimeIndex(pd.to_datetime(table.loc[table["hari_kerja"], "tanggal"]))[:n]


class CashBuffer(Model):
    """Recommended cash buffer for a horizon and confidence, with its backtest."""

    name: ClassVar[str] = "cash_buffer"
    title: ClassVar[dict[str, str]] = {
        "id": "Penyangga kas optimal",
        "en": "Optimum cash buffer",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "Proyeksi arus kas bersih harian dengan ketidakpastian; penyangga kas yang "
        "direkomendasikan = kuantil galat proyeksi arus keluar bersih kumulatif + pelunasan utang "
        "terjadwal; pandangan biaya-risiko; backtest dengan uji Kupiec.",
        "en": "Daily net cash-flow forecast with uncertainty; the recommended buffer = quantile "
        "of the cumulative net-outflow forecast error + scheduled debt redemptions; the cost-risk "
        "view; a backtest with the Kupiec test against 'one month of outflows'.",
    }
    labels: ClassVar[str] = "realised cash flows of later days (backtest), no labels"
    features = [*FEATURES, "month", "trailing-year level"]  # noqa: RUF012

    def train(self, settings: Settings, seed: int = 7) -> CashBuffer:
        """Fit the flow model on all days, the backtest forecasts year by year."""
        started = time.perf_counter()
        flows = load_flows(settings)
        self.flows = flows
        self.last_day = flows.index[-1]
        years = sorted(set(pd.DatetimeIndex(flows.index).year))
        test_years = years[-(BACKTEST_YEARS + 1) :]  # one calibration year, then the backtest
        oos = out_of_sample(flows, test_years, seed)
        self.oos_actual = (
            flows.loc[oos.index, "outflow"] - flows.loc[oos.index, "inflow"]
        ).to_numpy()
        self.oos_forecast = (oos["outflow"] - oos["inflow"]).to_numpy()
        self.oos_redemption = flows.loc[oos.index, "redemption"].to_numpy()
        self.oos_days = pd.DatetimeIndex(oos.index)
        self.warmup = int((self.oos_days.year == self.oos_days.year[0]).sum())
        self.model = FlowModel(seed).fit(flows)
        future = _working_days_after(self.last_day, FORECAST_DAYS)
        self.future = self.model.predict(future)
        daily_errors = self.oos_actual - self.oos_forecast
        self.daily_error_quantiles = {
            q: float(np.quantile(daily_errors, q)) for q in (0.025, 0.1, 0.9, 0.975)
        }
        self.data_version = (
            f"serving snapshot, cash flows {flows.index[0].date()} to {self.last_day.date()}"
        )
        self.evaluation = self._evaluate()
        self.fit_seconds = time.perf_counter() - started
        return self

    def backtest(
        self, horizon: int = DEFAULT_HORIZON, confidence: float = DEFAULT_CONFIDENCE
    ) -> dict[str, Any]:
        """The model's backtest and the rule of thumb's on the same origins."""
        result = backtest_buffer(
            self.oos_actual,
            self.oos_forecast,
            self.oos_redemption,
            horizon,
            confidence,
            self.warmup,
        )
        index = result["origins"]
        outflows = self.flows["outflow"] + self.flows["redemption"]
        month = outflows.rolling(MONTH_DAYS).sum().shift(1).reindex(self.oos_days).to_numpy()
        held = month[index]
        need = result["need"]
        breach = need > held
        n = len(index)
        rule: dict[str, Any] = {
            "days": n,
            "breaches": int(breach.sum()),
            "breach_rate": float(breach.mean()) if n else float("nan"),
            "avg_buffer": float(np.mean(held)) if n else float("nan"),
            "avg_idle": float(np.maximum(held - need, 0).mean()) if n else float("nan"),
        }
        summary = {
            k: result[k]
            for k in (
                "days",
                "breaches",
                "breach_rate",
                "kupiec_lr",
                "kupiec_p",
                "avg_buffer",
                "avg_idle",
            )
        }
        days = self.oos_days[index]
        return {
            "horizon": horizon,
            "confidence": confidence,
            "model": summary,
            "rule_of_thumb": rule,
            "series": {
                "tanggal": [d.date().isoformat() for d in days],
                "need": need.tolist(),
                "held": result["held"].tolist(),
                "rule": held.tolist(),
            },
        }

    def _evaluate(self) -> Evaluation:
        bt = self.backtest()
        model, rule = bt["model"], bt["rule_of_thumb"]
        tera = 1e12
        return Evaluation(
            method=f"backtest {self.oos_days[self.warmup].date()} to {self.oos_days[-1].date()}, "
            f"horizon {DEFAULT_HORIZON} working days, confidence {DEFAULT_CONFIDENCE:.0%}, "
            "yearly refits (expanding window)",
            metrics={
                "avg_idle_T": round(model["avg_idle"] / tera, 3),
                "breach_rate": round(model["breach_rate"], 4),
                "kupiec_p": round(model["kupiec_p"], 4),
                "breaches": float(model["breaches"]),
            },
            baseline="rule of thumb: one month of outflows",
            baseline_metrics={
                "avg_idle_T": round(rule["avg_idle"] / tera, 3),
                "breach_rate": round(rule["breach_rate"], 4),
                "breaches": float(rule["breaches"]),
            },
            primary_metric="avg_idle_T",
            higher_is_better=False,
            rows=model["days"],
            extra={"backtest_days": model["days"], "expected_breach_rate": 1 - DEFAULT_CONFIDENCE},
        )

    def evaluate(self) -> Evaluation:
        """The backtest computed at training."""
        return self.evaluation

    # -- prediction ------------------------------------------------------------------------

    def example(self) -> dict[str, Any]:
        """A month ahead at 95%."""
        return {"horizon_days": DEFAULT_HORIZON, "confidence": DEFAULT_CONFIDENCE}

    def _validate(self, case: dict[str, Any]) -> dict[str, Any]:
        problems: dict[str, str] = {}
        known = {"horizon_days", "confidence", "c_short", "c_carry", "scheduled_redemptions"}
        for key in sorted(set(case) - known):
            problems[key] = f"unknown field; use {', '.join(sorted(known))}"

        def number(key: str, default: float | None) -> float | None:
            value = case.get(key, default)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems[key] = "must be a number"
                return None
            return float(value)

        horizon = number("horizon_days", DEFAULT_HORIZON)
        if horizon is not None and (horizon != int(horizon) or not 1 <= horizon <= MAX_HORIZON):
            problems["horizon_days"] = f"must be a whole number of working days, 1 to {MAX_HORIZON}"
        c_short, c_carry = number("c_short", None), number("c_carry", None)
        confidence = number("confidence", None)
        if (c_short is None) != (c_carry is None) and not problems:
            missing = "c_carry" if c_carry is None else "c_short"
            problems[missing] = "give both c_short and c_carry (cost per rupiah), or neither"
        for key, value in (("c_short", c_short), ("c_carry", c_carry)):
            if value is not None and value < 0:
                problems[key] = "must not be negative"
        if c_short is not None and c_carry is not None and "c_short" not in problems:
            if c_short + c_carry <= 0:
                problems["c_short"] = "c_short and c_carry cannot both be zero"
            elif confidence is None:
                confidence = optimal_quantile(c_short, c_carry)
        confidence = DEFAULT_CONFIDENCE if confidence is None else confidence
        if not 0.5 <= confidence < 1:
            problems["confidence"] = "must be between 0.5 and 0.999 (e.g. 0.95)"
        redemptions = number("scheduled_redemptions", 0.0)
        if redemptions is not None and redemptions < 0:
            problems["scheduled_redemptions"] = "must not be negative (rupiah)"
        if problems:
            raise InputError(problems)
        return {
            "horizon": int(horizon or DEFAULT_HORIZON),
            "confidence": round(min(confidence, 0.999), 4),
            "redemptions": float(redemptions or 0.0),
        }

    def _error_quantile(self, horizon: int, confidence: float) -> float:
        errors = window_sums(self.oos_actual, horizon) - window_sums(self.oos_forecast, horizon)
        return float(np.quantile(errors, confidence))

    def _recommend(self, horizon: int, confidence: float, redemptions: float) -> dict[str, Any]:
        quantile = self._error_quantile(horizon, confidence)
        days = self.future.iloc[:horizon]
        inflow = days["inflow"].to_numpy()
        outflow = days["outflow"].to_numpy()
        net = outflow - inflow
        q = self.daily_error_quantiles
        labels = pd.DatetimeIndex(days.index).strftime("%Y-%m-%d")
        daily = [
            {
                "tanggal": label,
                "inflow": float(inflow[i]),
                "outflow": float(outflow[i]),
                "net_outflow": float(net[i]),
                "lo_80": float(net[i] + q[0.1]),
                "hi_80": float(net[i] + q[0.9]),
                "lo_95": float(net[i] + q[0.025]),
                "hi_95": float(net[i] + q[0.975]),
            }
            for i, label in enumerate(labels)
        ]
        return {
            "horizon_days": horizon,
            "confidence": confidence,
            "error_quantile": quantile,
            "scheduled_redemptions": redemptions,
            "buffer": max(quantile, 0.0) + redemptions,
            "forecast_net_outflow": float(net.sum()),
            "daily": daily,
        }

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per case: the recommended buffer (rupiah), its parts and the daily net-flow forecast."""
        out = []
        for case in cases:
            args = self._validate(case)
            result = self._recommend(args["horizon"], args["confidence"], args["redemptions"])
            if "c_short" in case:
                result["optimal_quantile"] = args["confidence"]
            out.append(result)
        return out

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """The buffer's parts: the forecast-error quantile and the scheduled redemptions."""
        out = []
        for case in cases:
            args = self._validate(case)
            quantile = self._error_quantile(args["horizon"], args["confidence"])
            parts = {
                f"forecast error quantile ({args['confidence']:.1%})": max(quantile, 0.0),
                "scheduled debt redemptions": args["redemptions"],
            }
            out.append(largest_first(parts))
        return out


MODEL = CashBuffer
