"""The runner end to end on hand-made extracts: counts, idempotent re-runs, run log, snapshot."""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pyarrow.parquet as pq

from treasury.config import Settings
from treasury.db import migrate
from treasury.db.models import PipelineRun
from treasury.db.session import session_scope
from treasury.warehouse import lake
from treasury.warehouse.contracts import contracts
from treasury.warehouse.load import cluster_columns
from treasury.warehouse.pipeline import (
    lake_tables,
    pipeline_history,
    pipeline_status,
    quarantine_summary,
    run_pipeline,
)
from treasury.warehouse.query import run_query
from treasury.warehouse.serving import current_snapshot, open_snapshot

from .landing import monthly, write


def _counts(settings: Settings) -> dict[tuple[str, str], int]:
    return {(t.layer, t.dataset): lake.read(t.path).count_rows() for t in lake_tables(settings)}


def test_run_loads_every_dataset_and_serves_the_marts(landed: Settings) -> None:
    seen: list[tuple[str, int, int]] = []
    result = run_pipeline(landed, progress=lambda s, d, n: seen.append((s, d, n)))
    assert result.status == "succeeded", result.message
    validate = {s.dataset: s for s in result.stages if s.stage == "validate"}
    assert len(validate) == 12
    assert validate["span_sp2d"].rows_in == validate["span_sp2d"].rows_out == 120
    assert all(s.rows_quarantined == 0 for s in validate.values())
    assert {s.dataset for s in result.stages if s.stage == "marts"} >= {"mart_apbn_bulanan"}
    assert result.snapshot == current_snapshot(landed)
    assert ("ingest", 33, 33) in seen and ("serving", 1, 1) in seen
    con = open_snapshot(landed)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert {"mart_kas_harian", "ref_akun", "ref_provinsi"} <= tables
    total = run_query("select sum(realisasi) as r from mart_tkd_bulanan", settings=landed)
    assert total.column("r")[0].as_py() > 0


def test_a_second_run_on_the_same_inputs_adds_nothing(landed: Settings) -> None:
    run_pipeline(landed)
    before = _counts(landed)
    again = run_pipeline(landed)
    assert again.status == "succeeded"
    after = _counts(landed)
    assert {k: v for k, v in after.items() if k[0] != "mart"} == {
        k: v for k, v in before.items() if k[0] != "mart"
    }
    assert all(s.rows_in == 0 for s in again.stages if s.stage == "validate")
    codes = {e["code"] for e in again.events}
    assert "W102" in codes and "W101" not in codes


def test_a_new_batch_is_loaded_alone_and_its_keys_checked(landed: Settings) -> None:
    run_pipeline(landed)
    extra = monthly("2024-03", seed=9)
    write(landed.landing, "span_sp2d", "2024-03", extra["span_sp2d"])
    # The same SP2D lines delivered again under another batch id are rejected by key.
    write(landed.landing, "span_sp2d", "2024-03-resend", extra["span_sp2d"].slice(0, 4))
    result = run_pipeline(landed)
    stage = next(s for s in result.stages if s.dataset == "span_sp2d")
    assert (stage.rows_in, stage.rows_out, stage.rows_quarantined) == (34, 30, 4)
    q = lake.read(lake.table_path(landed.lake, "quarantine", "span_sp2d")).to_table()
    assert set(q.column("rule").to_pylist()) == {"primary_key"}
    assert set(q.column("_batch").to_pylist()) == {"2024-03-resend"}


def test_run_log_history_and_status(landed: Settings) -> None:
    first = run_pipeline(landed)
    second = run_pipeline(landed)
    history = pipeline_history(limit=5, settings=landed)
    assert [r.run_id for r in history] == [second.run_id, first.run_id]
    status = pipeline_status(landed)
    assert status is not None and status.run_id == second.run_id
    assert any(s.dataset == "span_sp2d" for s in status.stages)
    assert quarantine_summary(landed) == []


def test_a_killed_run_is_marked_interrupted_by_the_next(landed: Settings) -> None:
    migrate(landed.app_database_url)
    with session_scope(landed.app_database_url) as s:
        s.add(
            PipelineRun(
                id="20000101T000000-dead00",
                status="running",
                engine="duckdb",
                started_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            )
        )
    result = run_pipeline(landed)
    assert "W003" in {e["code"] for e in result.events}
    stale = next(r for r in pipeline_history(settings=landed) if r.run_id.startswith("2000"))
    assert (stale.status, stale.message) == ("failed", "interrupted")


def test_lake_keeps_versions_and_marts_are_overwritten(landed: Settings) -> None:
    run_pipeline(landed)
    run_pipeline(landed)
    mart = lake.table_path(landed.lake, "mart", "mart_apbn_bulanan")
    table = lake.open_table(mart)
    assert table is not None and table.version() == 1
    assert lake.read(mart, version=0).count_rows() == lake.read(mart).count_rows()
    clean = lake.read(lake.table_path(landed.lake, "clean", "span_sp2d")).to_table()
    assert pc.unique(clean.column("_run_id")).to_pylist() != []
    assert set(clean.column("_batch").to_pylist()) == {"2023-11", "2023-12", "2024-01", "2024-02"}


def test_clean_files_are_clustered_by_the_row_policy_columns(landed: Settings) -> None:
    """Clean SP2D files are sorted by year, province, KPPN, then the key, with min/max of those
    columns in every row group: a KPPN's or a Kanwil's page skips the other row groups."""
    run_pipeline(landed)
    contract = contracts()["span_sp2d"]
    order = cluster_columns(contract)
    assert order == ["tahun", "kode_provinsi", "kode_kppn", "nomor_sp2d", "baris"]
    files = list(lake.table_path(landed.lake, "clean", "span_sp2d").glob("*.parquet"))
    assert files
    for file in files:
        rows = pq.read_table(file, columns=order).to_pylist()
        keys = [tuple(r[c] for c in order) for r in rows]
        assert keys == sorted(keys)
        meta = pq.ParquetFile(file).metadata
        for i in range(meta.num_row_groups):
            group = meta.row_group(i)
            stats = {
                group.column(j).path_in_schema: group.column(j).statistics
                for j in range(group.num_columns)
            }
            for column in order:
                assert stats[column] is not None and stats[column].has_min_max, column
