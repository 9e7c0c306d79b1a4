"""Crash safety: a pipeline killed (SIGKILL) at any moment leaves the last good snapshot serving
and every lake table at a committed version; the next run completes with the totals of a clean
single run, without duplicates."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from treasury.config import Settings
from treasury.warehouse import lake
from treasury.warehouse.pipeline import pipeline_history, run_pipeline
from treasury.warehouse.query import run_query
from treasury.warehouse.serving import current_snapshot

from .landing import AS_OF, write_landing

MONTHS = ("2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04")
CHILD = "from treasury.warehouse.pipeline import run_pipeline; run_pipeline()"


def _state(settings: Settings) -> dict[tuple[str, str], list[tuple[object, ...]]]:
    """Every lake table's rows (without run ids), sorted: equal states hold equal data."""
    out = {}
    for t in lake.tables(settings.lake):
        data = lake.read(t.path)
        assert data is not None
        table = data.to_table()
        drop = [c for c in ("_run_id", "_batch") if t.layer == "mart" and c in table.column_names]
        drop += ["_run_id"] if t.layer != "mart" else []
        table = table.drop_columns(drop)
        if t.dataset == "batches":
            table = table.drop_columns(["size", "mtime_ns"])
        out[(t.layer, t.dataset)] = sorted(tuple(r.values()) for r in table.to_pylist())
    return out


def _wait_until_started(child: subprocess.Popen, settings: Settings, runs_before: int) -> None:
    """Wait until the child's run is in the run log (start-up is slow on a busy machine)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if len(pipeline_history(limit=100, settings=settings)) > runs_before:
            return
        time.sleep(0.05)


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ, TREASURY_HOME=str(home), TREASURY_AS_OF=AS_OF.isoformat())
    env.pop("TREASURY_DATABASE_URL", None)
    return env


@pytest.mark.slow
def test_killed_runs_resume_to_the_same_totals(settings: Settings, tmp_path: Path) -> None:
    # The reference: one clean run over every month.
    reference = Settings(home=tmp_path / "reference", database_url="", as_of=AS_OF)
    write_landing(reference.landing, months=MONTHS, lines=600)
    started = time.perf_counter()
    assert run_pipeline(reference).status == "succeeded"
    duration = time.perf_counter() - started

    # A home that already serves a snapshot of the first months, then gets the rest.
    write_landing(settings.landing, months=MONTHS[:2], lines=600)
    assert run_pipeline(settings).status == "succeeded"
    serving_before = run_query("select count(*) as n from mart_apbn_bulanan", settings=settings)
    shutil.rmtree(settings.landing)
    shutil.copytree(reference.landing, settings.landing)

    rng = random.Random(7)
    kills = attempts = 0
    while kills < 4 and attempts < 10:
        attempts += 1
        runs_before = len(pipeline_history(limit=100, settings=settings))
        child = subprocess.Popen([sys.executable, "-c", CHILD], env=_child_env(settings.home))
        _wait_until_started(child, settings, runs_before)
        time.sleep(rng.random() * (duration + 0.3))  # anywhere in the run (or just after)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait()
        # Readers always find a complete snapshot: the last good one or a newer one.
        assert current_snapshot(settings) is not None
        served = run_query("select count(*) as n from mart_apbn_bulanan", settings=settings)
        assert served.column("n")[0].as_py() >= serving_before.column("n")[0].as_py()
    assert kills == 4

    result = run_pipeline(settings)
    assert result.status == "succeeded", result.message
    assert _state(settings) == _state(reference)
    history = pipeline_history(limit=20, settings=settings)
    assert not [r for r in history if r.status == "running"]  # killed runs are marked ...
    assert [r for r in history if r.message == "interrupted"]  # ... as interrupted
    # And once more: nothing new, nothing duplicated.
    assert run_pipeline(settings).status == "succeeded"
    assert _state(settings) == _state(reference)
