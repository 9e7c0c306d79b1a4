"""The pipeline's shortcuts give the same rows as the long way: latest tables, mart commits,
and DuckDB's own Parquet reader for lake tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from treasury.warehouse import lake
from treasury.warehouse.contracts import contracts
from treasury.warehouse.engines.duckdb import DuckDBEngine, connect, parquet_files
from treasury.warehouse.pipeline import MartCommit, latest_version

SATKER = pa.schema([("kode_satker", pa.string()), ("nama", pa.string())])


def _satker(path: Path, batches: dict[str, tuple[str, list[tuple[str, str]]]]) -> ds.Dataset:
    """A clean ``span_satker`` table: batch -> (run id, rows), one commit per run."""
    for batch, (run, rows) in batches.items():
        writer = lake.TableWriter(path, SATKER, [batch])
        table = pa.table(
            {"kode_satker": [r[0] for r in rows], "nama": [r[1] for r in rows]}, schema=SATKER
        )
        writer.put(lake.with_tags(table, batch, run))
        writer.close()
    data = lake.read(path)
    assert data is not None
    return data


def test_a_latest_table_without_repeated_keys_is_served_as_it_is(tmp_path: Path) -> None:
    data = _satker(
        tmp_path / "clean" / "span_satker",
        {"2023": ("r1", [("000001", "a"), ("000002", "b")]), "2024": ("r2", [("000003", "c")])},
    )
    con = connect()
    try:
        assert latest_version(con, data, contracts()["span_satker"]) is data
    finally:
        con.close()


def test_a_latest_table_keeps_the_newest_row_of_a_repeated_key(tmp_path: Path) -> None:
    data = _satker(
        tmp_path / "clean" / "span_satker",
        {
            "2023": ("r1", [("000001", "old"), ("000002", "b")]),
            "2024": ("r2", [("000001", "new")]),
        },
    )
    con = connect()
    try:
        latest = latest_version(con, data, contracts()["span_satker"])
    finally:
        con.close()
    assert isinstance(latest, pa.Table)
    rows = sorted((r["kode_satker"], r["nama"], r["_batch"]) for r in latest.to_pylist())
    assert rows == [("000001", "new", "2024"), ("000002", "b", "2023")]


def test_mart_commits_replace_the_previous_rows_and_follow_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "mart" / "m"
    first = pa.table({"k": [1, 2, 3], "v": [10, 20, 30]})
    assert MartCommit(path, first, "r1").commit() == 0
    second = pa.table({"k": [1, 2], "v": [11, 21]})
    assert MartCommit(path, second, "r2").commit() == 1
    data = lake.read(path)
    assert data is not None
    assert data.to_table().select(["k", "v"]).sort_by("k").equals(second)
    wider = pa.table({"k": [5], "v": [50], "w": ["x"]})  # a column added: an overwrite
    assert MartCommit(path, wider, "r3").commit() == 2
    data = lake.read(path)
    assert data is not None
    assert data.to_table().select(["k", "v", "w"]).equals(wider)
    assert lake.read(path, version=1).count_rows() == 2  # earlier versions stay readable


def test_a_mart_commit_of_a_failed_run_leaves_the_table_alone(tmp_path: Path) -> None:
    path = tmp_path / "mart" / "m"
    MartCommit(path, pa.table({"k": [1]}), "r1").commit()
    pending = MartCommit(path, pa.table({"k": [2, 3]}), "r2")
    pending.abort()
    assert lake.open_table(path).version() == 0  # type: ignore[union-attr]
    assert sorted(p.name for p in path.glob("*.parquet")) == [
        Path(f).name
        for f in lake.read(path).files  # type: ignore[union-attr]
    ]


def test_duckdb_reads_lake_tables_with_its_own_parquet_reader(tmp_path: Path) -> None:
    data = _satker(
        tmp_path / "clean" / "span_satker",
        {"2023": ("r1", [("000001", "a"), ("000002", "b")]), "2024": ("r2", [("000003", "c")])},
    )
    assert parquet_files(data) == list(data.files)
    filtered = data.filter(ds.field("kode_satker") == "000001")
    assert parquet_files(filtered) is None  # a filter is kept: registered through Arrow
    sql = "select kode_satker, nama, _batch from t order by kode_satker"
    with DuckDBEngine() as engine:
        native = engine.run_mart("m", sql, {"t": data})
        arrow = engine.run_mart("m", sql, {"t": data.to_table()})
        only = engine.run_mart("m", sql, {"t": filtered})
    assert native.to_pylist() == arrow.to_pylist()
    assert native.schema == arrow.schema
    assert only.column("kode_satker").to_pylist() == ["000001"]
