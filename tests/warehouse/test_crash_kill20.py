"""Twenty ``kill -9`` of the batch pipeline at seeded random moments: a reader never sees a
partial version (the serving snapshot is the last good one or a complete newer one; every lake
table holds whole batches and whole marts), the next run succeeds, and the totals equal those
of one clean run."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from treasury.config import Settings
from treasury.warehouse import lake
from treasury.warehouse.pipeline import pipeline_history, run_pipeline
from treasury.warehouse.query import run_query
from treasury.warehouse.runlog import runs
from treasury.warehouse.serving import current_snapshot

from .landing import AS_OF, write_landing
from .test_crash import _state

MONTHS = ("2023-12", "2024-01", "2024-02", "2024-03")
LINES = 100
KILLS = 20


def _run(home: str, ready: Any) -> None:
    """The child: one pipeline run over ``home``. Forked from a server that imported the
    pipeline and this module once, it says when it starts, so a kill lands inside the run
    rather than in Python's start-up."""
    ready.set()
    run_pipeline(Settings(home=Path(home), database_url="", as_of=AS_OF))


SERVED = "select * from mart_apbn_bulanan order by all"


def _counts(settings: Settings) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for t in lake.tables(settings.lake):
        if t.layer not in ("raw", "clean", "quarantine"):
            continue
        data = lake.read(t.path)
        assert data is not None
        for row in pc.value_counts(data.to_table(columns=["_batch"]).column("_batch")).to_pylist():
            counts[(t.layer, t.dataset, str(row["values"]))] = int(row["counts"])
    return counts


def _marts(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """Every mart's rows (without the run's tags), sorted."""
    out = {}
    for t in lake.tables(settings.lake):
        if t.layer == "mart":
            data = lake.read(t.path)
            assert data is not None
            table = data.to_table().drop_columns(list(lake.TAGS))
            out[t.dataset] = sorted(tuple(r.values()) for r in table.to_pylist())
    return out


@pytest.mark.slow
def test_twenty_kills_never_show_a_partial_version(settings: Settings, tmp_path: Path) -> None:
    reference = Settings(home=tmp_path / "reference", database_url="", as_of=AS_OF)
    write_landing(reference.landing, months=MONTHS, lines=LINES)
    started = time.perf_counter()
    assert run_pipeline(reference).status == "succeeded"
    duration = time.perf_counter() - started
    ref_counts = _counts(reference)
    ref_marts = _marts(reference)
    ref_served = run_query(SERVED, settings=reference).to_pylist()

    # A home serving the first months, then given every month.
    write_landing(settings.landing, months=MONTHS[:2], lines=LINES)
    assert run_pipeline(settings).status == "succeeded"
    old_marts = _marts(settings)
    old_served = run_query(SERVED, settings=settings).to_pylist()
    shutil.rmtree(settings.landing)
    shutil.copytree(reference.landing, settings.landing)

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["treasury.warehouse.pipeline", __name__])
    rng = random.Random(20)
    kills = attempts = 0
    while kills < KILLS and attempts < 2 * KILLS:
        attempts += 1
        ready = context.Event()
        child = context.Process(target=_run, args=(str(settings.home), ready))
        child.start()
        assert ready.wait(30)
        time.sleep(rng.uniform(0.0, duration))  # anywhere in the run
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join()
        if child.exitcode == -signal.SIGKILL:
            kills += 1
        else:  # the run ended before the kill: it must have succeeded
            assert child.exitcode == 0, child.exitcode
        child.close()

        # The snapshot a reader opens is the last good one or a complete newer one.
        assert current_snapshot(settings) is not None
        served = run_query(SERVED, settings=settings).to_pylist()
        assert served in (old_served, ref_served)
        # Every lake table is at a committed version: whole batches only ...
        for key, n in _counts(settings).items():
            assert ref_counts[key] == n, f"{key}: {n} rows, a clean run has {ref_counts[key]}"
        # ... and every mart is the old run's or a complete new one.
        for mart, rows in _marts(settings).items():
            assert rows in (old_marts.get(mart), ref_marts[mart]), mart
    assert kills == KILLS
    # The kills landed in different stages of the run (the last stage each killed run logged).
    logged = runs(settings.app_database_url, limit=100, with_stages=True)
    reached = Counter(r.stages[-1].stage for r in logged if r.message == "interrupted" and r.stages)
    # On a quiet machine the short stages (start, serving) are rarely hit: two stages suffice.
    assert len(reached) >= 2, reached  # e.g. validate and marts, often start or serving too

    result = run_pipeline(settings)
    assert result.status == "succeeded", result.message
    assert _state(settings) == _state(reference)
    assert run_query(SERVED, settings=settings).to_pylist() == ref_served
    history = pipeline_history(limit=50, settings=settings)
    assert not [r for r in history if r.status == "running"]
    assert len([r for r in history if r.message == "interrupted"]) >= 1
    # Nothing new on a second run, nothing duplicated.
    assert run_pipeline(settings).status == "succeeded"
    assert _state(settings) == _state(reference)
