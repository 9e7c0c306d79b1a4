"""Simulation benchmark: Monte Carlo of 10,000 draws x 5 years, and the slider redraw endpoint.

Measures, in this process (2 shared cores):

- ``calibration_s``: solving the parameters against the sensitivity table (once per process);
- ``monte_carlo``: 10,000 correlated draws x 5 years through the vectorised engine (draws and
  projection; median of 7 runs) against the goal of 1 s, the whole ``simulate`` call (with
  quantiles and probabilities), and the baseline: the same engine called once per draw
  (1,000 draws, scaled to 10,000) for the speed-up of vectorising;
- ``redraw``: ``POST /api/v1/simulations/preview`` (2,000 draws, what a slider change sends)
  through the real app (FastAPI TestClient, empty home: domain posture), 40 requests, median
  and p95 against the goal of 300 ms.

Run: ``python -m bench simulation``. Writes ``bench/results/simulation.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any

import numpy as np

from bench.harness import write_result

DRAWS = 10_000
GOAL_MC_S = 1.0
GOAL_REDRAW_MS = 300.0


def _timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def monte_carlo() -> dict[str, Any]:
    """Time the engine on 10,000 draws, vectorised and one draw at a time."""
    from treasury.simulation.assumptions import ASUMSI, budget_assumptions, parse_scenario
    from treasury.simulation.calibration import calibrate
    from treasury.simulation.engine import project
    from treasury.simulation.montecarlo import shocked_paths
    from treasury.simulation.posture import domain_posture
    from treasury.simulation.simulate import run_arrays, summarise

    started = time.perf_counter()
    params = calibrate()
    calibration_s = time.perf_counter() - started
    scenario = parse_scenario({"tahun_dasar": 2026, "draws": DRAWS, "seed": 1})
    posture = domain_posture(2026)
    years = scenario.years
    central = {k: np.array([scenario.asumsi[y][k] for y in years]) for k in ASUMSI}
    baseline = {k: np.array([budget_assumptions(y)[k] for y in years]) for k in ASUMSI}

    def engine() -> None:
        paths = shocked_paths(central, DRAWS, 1)
        project(posture, paths, baseline, scenario.kebijakan, params)

    def whole() -> None:
        summarise(run_arrays(scenario))

    engine_s, whole_s = [], []
    for _ in range(7):  # interleaved, so both see the same load of the shared cores
        engine_s += _timed(engine, 1)
        whole_s += _timed(whole, 1)
    paths = shocked_paths(central, 1000, 1)

    def one_by_one() -> None:
        for i in range(1000):
            single = {k: v[i : i + 1] for k, v in paths.items()}
            project(posture, single, baseline, scenario.kebijakan, params)

    loop_s = min(_timed(one_by_one, 2)) * DRAWS / 1000
    median = statistics.median(engine_s)
    return {
        "calibration_s": round(calibration_s, 3),
        "monte_carlo": {
            "draws": DRAWS,
            "years": len(years),
            "engine_median_s": round(median, 4),
            "engine_runs_s": [round(s, 4) for s in engine_s],
            "engine_min_s": round(min(engine_s), 4),
            "simulate_median_s": round(statistics.median(whole_s), 4),
            "simulate_min_s": round(min(whole_s), 4),
            "per_draw_loop_s_scaled": round(loop_s, 3),
            "speedup_vs_per_draw_loop": round(loop_s / min(engine_s), 1),
            "goal_s": GOAL_MC_S,
            "meets_goal": statistics.median(whole_s) < GOAL_MC_S,
        },
    }


def redraw() -> dict[str, Any]:
    """Latency of the preview endpoint a slider change calls."""
    from fastapi.testclient import TestClient

    from treasury.config import get_settings
    from treasury.web.app import create_app

    with tempfile.TemporaryDirectory() as home:
        os.environ["TREASURY_HOME"] = home
        os.environ["TREASURY_RATELIMIT_ADDRESS_PER_MINUTE"] = "1000000"
        get_settings.cache_clear()
        with TestClient(create_app()) as client:
            body = {"tahun_dasar": 2026, "asumsi": {}, "kebijakan": {}, "seed": 20260101}
            client.post("/api/v1/simulations/preview", json=body)  # warm up
            latencies = []
            for i in range(40):
                body["asumsi"] = {str(y): {"kurs": 15000 + 100 * i} for y in range(2026, 2031)}
                started = time.perf_counter()
                answer = client.post("/api/v1/simulations/preview", json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
    latencies.sort()
    return {
        "redraw": {
            "endpoint": "POST /api/v1/simulations/preview",
            "draws": 2000,
            "requests": len(latencies),
            "median_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
            "goal_ms": GOAL_REDRAW_MS,
            "meets_goal": latencies[int(0.95 * len(latencies)) - 1] < GOAL_REDRAW_MS,
        }
    }


def run(args: argparse.Namespace | None = None) -> dict[str, Any]:
    """Run both measurements and write ``bench/results/simulation.json``."""
    result = monte_carlo() | redraw()
    path = write_result("simulation", result)
    print(f"simulation: {result['monte_carlo']} {result['redraw']} -> {path}", flush=True)
    return result


if __name__ == "__main__":
    run()
