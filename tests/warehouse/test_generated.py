"""The pipeline on the synthetic sources at tiny scale: nothing dropped, marts add up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from treasury.config import Settings
from treasury.sources.generate import generate
from treasury.warehouse import lake
from treasury.warehouse.pipeline import RunResult, run_pipeline
from treasury.warehouse.query import run_query

AS_OF = dt.date(2024, 3, 31)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, RunResult]:
    home = tmp_path_factory.mktemp("generated")
    settings = Settings(home=home, database_url="", as_of=AS_OF)
    generate(settings.landing, scale="tiny", seed=11, as_of=AS_OF)
    result = run_pipeline(settings)
    assert result.status == "succeeded", result.message
    return settings, result


def test_every_row_is_loaded_or_quarantined(generated: tuple[Settings, RunResult]) -> None:
    settings, result = generated
    stages = [s for s in result.stages if s.stage == "validate"]
    assert sum(s.rows_in for s in stages) > 10_000
    for s in stages:
        assert s.rows_in == s.rows_out + s.rows_quarantined, s.dataset
        assert s.status == "succeeded", (s.dataset, s.events)
    ledger = lake.ledger(settings.lake)
    assert ledger.num_rows == sum(1 for _ in settings.landing.glob("*/*.*"))


def test_apbn_belanja_equals_sp2d_plus_tkd(generated: tuple[Settings, RunResult]) -> None:
    settings, _ = generated
    con = duckdb.connect()
    for name in ("span_sp2d", "tkd_penyaluran"):
        con.register(name, lake.read(Path(settings.lake) / "clean" / name))
    expected = dict(
        con.execute(
            "select tahun, sum(n)::bigint from (select tahun, nilai n from span_sp2d union all "
            "select tahun, nilai from tkd_penyaluran) group by 1"
        ).fetchall()
    )
    got = run_query(
        "select tahun, sum(realisasi)::bigint as r from mart_apbn_bulanan "
        "where pos = 'belanja' group by 1",
        settings=settings,
    ).to_pylist()
    assert {r["tahun"]: r["r"] for r in got} == expected
