"""The read path: one read-only SELECT over the snapshot, everything else refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from treasury.config import Settings
from treasury.warehouse.pipeline import run_pipeline
from treasury.warehouse.query import QueryError, check_sql, run_query
from treasury.warehouse.serving import open_snapshot, snapshot_tables


@pytest.fixture
def served(landed: Settings) -> Settings:
    assert run_pipeline(landed).status == "succeeded"
    return landed


@pytest.mark.parametrize(
    "sql",
    [
        "attach 'x.duckdb' as x",
        "copy (select 1) to 'x.csv'",
        "install httpfs",
        "load httpfs",
        "pragma database_list",
        "set threads = 1",
        "export database '/tmp/x'",
        "create table t as select 1",
        "insert into mart_kas_harian select * from mart_kas_harian",
        "delete from mart_kas_harian",
        "drop table mart_kas_harian",
        "select 1; select 2",
        "select * from read_csv('/etc/passwd')",
        "select * from read_parquet('x.parquet')",
        "select * from glob('/*')",
        "select getenv('HOME')",
        "select * from main.mart_kas_harian",
        "with x as (select * from read_text('/etc/hostname')) select * from x",
        "select * into t from mart_kas_harian",
    ],
)
def test_anything_but_one_select_is_refused(sql: str) -> None:
    with pytest.raises(QueryError):
        check_sql(sql)


def test_select_runs_read_only_with_a_row_limit(served: Settings) -> None:
    table = run_query(
        "with k as (select * from mart_kas_harian) select tanggal, saldo from k order by tanggal",
        limit=5,
        settings=served,
    )
    assert table.num_rows == 5 and table.column_names == ["tanggal", "saldo"]


def test_clean_tables_are_served_as_views_over_the_lake(served: Settings) -> None:
    n = run_query("select count(*) as n from clean_span_sp2d", settings=served)
    assert n.column("n")[0].as_py() == 120
    satker = run_query("select count(*) as n from clean_span_satker", settings=served)
    assert satker.column("n")[0].as_py() == 6
    con = open_snapshot(served)
    assert {"clean_span_sp2d", "mart_kas_harian", "ref_akun"} <= snapshot_tables(con)
    with pytest.raises(QueryError):
        run_query("select * from read_parquet('/etc/hostname')", settings=served)


def test_files_and_unknown_tables_are_refused_at_run_time(served: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(QueryError, match="unknown table"):
        run_query(f"select * from '{secret}'", settings=served)
    with pytest.raises(QueryError, match="unknown table"):
        run_query("select * from no_such_mart", settings=served)
    with pytest.raises(QueryError):
        run_query("select nope from mart_kas_harian", settings=served)


def test_the_snapshot_connection_is_read_only(served: Settings) -> None:
    con = open_snapshot(served)
    with pytest.raises(Exception, match="read-only"):
        con.execute("create table x as select 1")


def test_no_snapshot_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(QueryError, match="no serving snapshot"):
        run_query("select 1", settings=settings)
