"""ML benchmark: train every model of ``treasury.ml`` at a scale, time one prediction + explanation.

Builds (once) a platform at ``--scale`` (default ``small``; synthetic sources seed 7 as of
2026-11-23, a pipeline run) under ``.treasury-bench/ml-<scale>``, then in one process trains
each model of :func:`treasury.ml.base.model_classes` through the registry (wall seconds each,
target: all within 300 s) and times ``predict`` + ``explain`` of the model's ``example()``
(median of 20 after one warm call; target: < 50 ms). A model that fails to train is recorded
with its error. Writes ``bench/results/ml.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench.harness import write_result

TARGET_TRAIN_SECONDS = 300
TARGET_PREDICT_MS = 50
SEED = 7


def _home(scale: str) -> Path:
    root = Path(os.environ.get("TREASURY_BENCH_HOME", ".treasury-bench"))
    return (root / f"ml-{scale}").resolve()


def _ensure_platform(home: Path, scale: str) -> float | None:
    """Generate and run the pipeline once per scale; the seconds it took, None if reused."""
    from treasury.config import get_settings
    from treasury.warehouse.serving import current_snapshot

    os.environ["TREASURY_HOME"] = str(home)
    get_settings.cache_clear()
    settings = get_settings()
    if current_snapshot(settings) is not None:
        return None
    from treasury.sources.generate import generate
    from treasury.warehouse.pipeline import run_pipeline

    started = time.perf_counter()
    generate(settings.landing, scale=scale, seed=SEED, as_of=dt.date(2026, 11, 23))
    status = run_pipeline(settings).status
    if status != "succeeded":
        raise RuntimeError(f"pipeline {status}")
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> None:
    """Train and time every model; write ``bench/results/ml.json``."""
    scale = getattr(args, "scale", "small") or "small"
    if scale == "medium":  # the harness default: this benchmark's scale is small
        scale = "small"
    home = _home(scale)
    home.mkdir(parents=True, exist_ok=True)
    platform_seconds = _ensure_platform(home, scale)

    from treasury.config import get_settings
    from treasury.ml import registry
    from treasury.ml.base import model_classes

    settings = get_settings()
    models: dict[str, Any] = {}
    for name in model_classes():
        entry: dict[str, Any] = {}
        started = time.perf_counter()
        cpu_started = time.process_time()
        try:
            card = registry.train(name, settings, seed=SEED)
        except Exception as error:  # record and go on: one broken model must not hide others
            entry["error"] = f"{type(error).__name__}: {error}"
            entry["traceback"] = traceback.format_exc(limit=3)
            models[name] = entry
            print(f"{name}: FAILED {entry['error']}", file=sys.stderr)
            continue
        entry["train_seconds"] = round(time.perf_counter() - started, 2)
        entry["train_cpu_seconds"] = round(time.process_time() - cpu_started, 2)
        ev = card.evaluation
        entry["primary_metric"] = ev.primary_metric
        entry["model"] = ev.metrics[ev.primary_metric]
        entry["baseline"] = ev.baseline
        entry["baseline_value"] = ev.baseline_metrics[ev.primary_metric]
        entry["beats_baseline"] = ev.beats_baseline
        model = registry.load(name, settings=settings)
        case = model.example()
        model.predict([case])
        model.explain([case])
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            model.predict([case])
            model.explain([case])
            times.append((time.perf_counter() - t0) * 1000)
        entry["predict_explain_ms_median"] = round(statistics.median(times), 3)
        entry["predict_explain_ms_max"] = round(max(times), 3)
        models[name] = entry
        print(name, entry, file=sys.stderr)
    trained = [m for m in models.values() if "train_seconds" in m]
    total = sum(m["train_seconds"] for m in trained)
    cpu_total = sum(m["train_cpu_seconds"] for m in trained)
    result = {
        "scale": scale,
        "seed": SEED,
        "platform_build_seconds": None if platform_seconds is None else round(platform_seconds, 1),
        "models": models,
        "train_seconds_total": round(total, 1),
        "train_cpu_seconds_total": round(cpu_total, 1),
        "targets": {
            "train_seconds_total_max": TARGET_TRAIN_SECONDS,
            "predict_explain_ms_max": TARGET_PREDICT_MS,
        },
        "checks": {
            "train_within_target": total <= TARGET_TRAIN_SECONDS,
            "train_cpu_within_target": cpu_total <= TARGET_TRAIN_SECONDS,
            "predict_within_target": all(
                m["predict_explain_ms_median"] < TARGET_PREDICT_MS for m in trained
            ),
            "all_beat_baseline": all(m["beats_baseline"] for m in trained),
            "failed": sorted(n for n, m in models.items() if "error" in m),
        },
        "load_note": "measured on the shared 2-core machine while other work ran (load "
        f"average {os.getloadavg()[0]:.1f} at the end): wall seconds are inflated; CPU seconds "
        "(this process) are closer to a quiet machine's wall time",
    }
    path = write_result("ml", result)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small")
    run(parser.parse_args())
