"""SQL sandbox escapes through the API (cases beyond tests/opendata and tests/warehouse): file
readers on the lake's own files, globbing, catalog and system tables, table-valued functions,
settings, over-long and endless queries. Each is a clean 400, never data, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer

#: ``{lake}`` is the platform's lake folder: the one folder DuckDB itself may read.
ESCAPES = [
    "SELECT count(*) FROM read_parquet('{lake}/**/*.parquet')",
    "SELECT * FROM read_parquet(['{lake}/clean/span_sp2d/x.parquet'])",
    "SELECT * FROM '{lake}/clean/span_sp2d/*.parquet'",
    "SELECT * FROM parquet_scan('{lake}/clean/span_sp2d/*.parquet')",
    "SELECT * FROM parquet_metadata('{lake}/clean/span_sp2d/x.parquet')",
    "SELECT * FROM delta_scan('{lake}/clean/span_sp2d')",
    "SELECT * FROM glob('{lake}/**')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_json('/etc/hostname')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT getenv('HOME')",
    "SELECT * FROM query('SELECT * FROM clean_span_sp2d')",
    "SELECT * FROM query_table('clean_span_sp2d')",
    "SELECT * FROM duckdb_tables()",
    "SELECT sql FROM duckdb_views()",
    "SELECT * FROM duckdb_columns()",
    "SELECT * FROM duckdb_databases()",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM duckdb_extensions()",
    "SELECT * FROM pragma_database_list()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM main.clean_span_sp2d",
    'SELECT * FROM "clean_span_sp2d"',
    "FROM clean_span_sp2d",
    "SELECT * FROM sqlite_master",
    "SUMMARIZE clean_span_sp2d",
    "DESCRIBE clean_span_sp2d",
    "SHOW TABLES",
    "CALL pragma_version()",
    "ATTACH '{lake}/../app.db' AS app (TYPE sqlite)",
    "COPY sp2d_rincian TO '{lake}/leak.csv'",
    "INSTALL sqlite",
    "LOAD '{lake}/evil.duckdb_extension'",
    "PRAGMA show_tables",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "SELECT count(*) FROM range(100000000000)",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_escape_is_refused(
    api_client: TestClient, tokens: dict[str, str], platform_home: Path, template: str
) -> None:
    sql = template.format(lake=(platform_home / "lake").resolve())
    for who in ("analis.surabaya", "admin"):
        r = api_client.post("/api/v1/sql", json={"sql": sql}, headers=bearer(tokens[who]))
        assert r.status_code == 400, (who, r.text[:300])
        body = r.json()
        assert body["ok"] is False and body["error"]["code"] == "bad_sql"
        assert "Traceback" not in r.text


def test_refused_queries_leave_no_file(platform_home: Path) -> None:
    assert not (platform_home / "lake" / "leak.csv").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT current_setting('allowed_directories') AS d",
        "SELECT path FROM duckdb_databases()",
        "SELECT * FROM pragma_database_list()",
    ],
)
def test_settings_and_paths_are_not_readable(
    api_client: TestClient, tokens: dict[str, str], sql: str
) -> None:
    r = api_client.post("/api/v1/sql", json={"sql": sql}, headers=bearer(tokens["analis.pusat"]))
    assert r.status_code == 400, r.text
    assert "/" not in r.json()["error"]["message"].replace("read/write", "")  # no server path


def test_overlong_query_is_a_clear_400(api_client: TestClient, tokens: dict[str, str]) -> None:
    sql = "SELECT 1 AS x" + " " * 20_001
    r = api_client.post("/api/v1/sql", json={"sql": sql}, headers=bearer(tokens["admin"]))
    assert r.status_code == 400
    assert "sql" in r.json()["error"]["message"]


def test_endless_query_stops_at_its_time_limit(od_settings, principals) -> None:  # type: ignore[no-untyped-def]
    from treasury.warehouse.reader import Reader, ReadError

    endless = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    )
    with pytest.raises(ReadError) as info:
        Reader(od_settings).sql(principals["analis.pusat"], endless, timeout_s=0.5)
    assert info.value.status == 400
    assert "longer than" in info.value.message


def test_scoped_rows_stay_scoped_in_subqueries(
    api_client: TestClient, tokens: dict[str, str]
) -> None:
    for sql in (
        "SELECT count(*) AS n FROM sp2d_rincian WHERE kode_kppn <> '086'",
        "SELECT count(*) AS n FROM (FROM sp2d_rincian) WHERE kode_kppn <> '086'",
        "SELECT count(*) AS n FROM sp2d_rincian a JOIN sp2d_rincian b USING (nomor_sp2d, baris) "
        "WHERE a.kode_kppn <> '086'",
    ):
        r = api_client.post(
            "/api/v1/sql", json={"sql": sql}, headers=bearer(tokens["analis.surabaya"])
        )
        assert r.status_code == 200, r.text
        rows = r.json()["data"]
        rows = rows["rows"] if isinstance(rows, dict) else rows
        assert rows == [{"n": 0}]
