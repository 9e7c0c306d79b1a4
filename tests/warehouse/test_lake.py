"""Lake IO: one commit per table per run, batches replaced on resume, time travel."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from treasury.warehouse import lake

SCHEMA = pa.schema([("a", pa.int64()), ("s", pa.string())])


def _rows(values: list[int], batch: str, run: str) -> pa.Table:
    table = pa.table({"a": values, "s": [str(v) for v in values]}, schema=SCHEMA)
    return lake.with_tags(table, batch, run)


def test_batches_stream_into_one_commit(tmp_path: Path) -> None:
    path = tmp_path / "clean" / "t"
    writer = lake.TableWriter(path, SCHEMA, ["b1", "b2"])
    writer.put(_rows([1, 2], "b1", "r1"))
    writer.put(_rows([3], "b2", "r1"))
    assert writer.close() == 0
    assert lake.read(path).count_rows() == 3
    assert lake.batches_in(path) == {"b1", "b2"}


def test_a_resumed_batch_replaces_its_earlier_copy(tmp_path: Path) -> None:
    path = tmp_path / "clean" / "t"
    writer = lake.TableWriter(path, SCHEMA, ["b1", "b2"])
    writer.put(_rows([1, 2], "b1", "r1"))
    writer.put(_rows([3], "b2", "r1"))
    writer.close()
    writer = lake.TableWriter(path, SCHEMA, ["b2", "b3"])
    writer.put(_rows([3], "b2", "r2"))
    writer.put(_rows([4], "b3", "r2"))
    assert writer.close() == 1
    assert writer.replaced == {"b2"}
    rows = lake.read(path).to_table().sort_by("a").to_pylist()
    assert [r["a"] for r in rows] == [1, 2, 3, 4]
    assert lake.read(path, version=0).count_rows() == 3  # time travel


def test_an_aborted_writer_commits_nothing(tmp_path: Path) -> None:
    path = tmp_path / "clean" / "t"
    writer = lake.TableWriter(path, SCHEMA, ["b1"])
    writer.put(_rows([1], "b1", "r1"))
    writer.close()
    writer = lake.TableWriter(path, SCHEMA, ["b2"])
    writer.put(_rows([2], "b2", "r2"))
    writer.abort()
    assert lake.open_table(path).version() == 0
    assert lake.read(path).count_rows() == 1


def test_an_empty_run_still_creates_the_table(tmp_path: Path) -> None:
    path = tmp_path / "clean" / "empty"
    assert lake.TableWriter(path, SCHEMA, ["b1"]).close() == 0
    assert lake.read(path).schema.names == ["a", "s", "_batch", "_run_id"]
    [entry] = lake.tables(tmp_path)
    assert (entry.layer, entry.dataset, entry.rows) == ("clean", "empty", 0)


def test_ledger_round_trip(tmp_path: Path) -> None:
    row = {
        "dataset": "d",
        "batch": "b1",
        "file": "b1.csv",
        "size": 1,
        "mtime_ns": 2,
        "rows_in": 3,
        "rows_clean": 2,
        "rows_quarantined": 1,
        "_run_id": "r1",
    }
    lake.record_batches(tmp_path, [row])
    assert lake.ledger(tmp_path).to_pylist() == [row]


def test_filters_on_the_delta_dataset_see_nulls_and_ranges(tmp_path: Path) -> None:
    """Every file carries null counts (a reader without them may drop an IS NULL filter)."""
    path = tmp_path / "clean" / "t"
    writer = lake.TableWriter(path, SCHEMA, ["b1"])
    table = pa.table({"a": [1, None, 30], "s": ["x", None, None]}, schema=SCHEMA)
    writer.put(lake.with_tags(table, "b1", "r1"))
    writer.close()
    data = lake.read(path)
    import duckdb

    con = duckdb.connect()
    con.register("d", data)
    got = con.execute(
        "select count(*) filter (where s is not null), count(*) filter (where a > 10),"
        " count(*) filter (where a is null) from d"
    ).fetchone()
    assert got == (1, 1, 1)


def test_a_clustered_table_is_sorted_with_statistics_to_skip_row_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows sorted by the cluster columns (nulls last), min/max on them in every row group:
    the rows of one office sit in few row groups and a filter skips the others."""
    monkeypatch.setattr(lake, "CLUSTERED_ROW_GROUP", 100)
    schema = pa.schema([("kode", pa.string()), ("n", pa.int64()), ("uraian", pa.string())])
    path = tmp_path / "clean" / "t"
    writer = lake.TableWriter(path, schema, ["b1"], cluster=["kode", "n"])
    codes = [None if i % 97 == 0 else f"{(i * 7919) % 40:03d}" for i in range(1000)]
    table = pa.table(
        {"kode": codes, "n": [(i * 31) % 1000 for i in range(1000)], "uraian": ["x"] * 1000},
        schema=schema,
    )
    writer.put(lake.with_tags(table, "b1", "r1"))
    writer.close()
    (file,) = path.glob("*.parquet")
    meta = pq.ParquetFile(file).metadata
    assert meta.num_rows == 1000 and meta.num_row_groups == 10
    rows = pq.read_table(file).select(["kode", "n"]).to_pylist()
    present = [r for r in rows if r["kode"] is not None]
    assert present == sorted(present, key=lambda r: (r["kode"], r["n"]))
    assert all(r["kode"] is None for r in rows[len(present) :])  # nulls last
    names = meta.schema.to_arrow_schema().names
    assert [names[c.column_index] for c in meta.row_group(0).sorting_columns] == ["kode", "n"]
    holding = []
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        stats = {group.column(j).path_in_schema: group.column(j).statistics for j in range(4)}
        assert stats["kode"].has_min_max and stats["n"].has_min_max
        assert stats["uraian"] is None or not stats["uraian"].has_min_max  # free text: none
        if stats["kode"].min <= "007" <= stats["kode"].max:
            holding.append(i)
    assert len(holding) == 1  # the 25 rows of one code: one row group of ten
