"""Read-only SQL over the serving snapshot: the single read path to the marts.

:func:`run_query` accepts one ``SELECT`` (or ``WITH ... SELECT``, set operations included),
parsed with SQLGlot before it runs: no statements that change anything, no settings, no
``ATTACH``/``COPY``/``INSTALL``/``LOAD``/``PRAGMA``/``EXPORT``, no table functions and no
file-reading functions, only the snapshot's own tables. The connection is read-only, has
external access switched off and its configuration locked before the user's SQL runs, and the
query is capped by rows and time. Products will put the access policies in front of this.
"""

from __future__ import annotations

import threading

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from treasury.config import Settings, get_settings
from treasury.warehouse.contracts import quote
from treasury.warehouse.serving import open_snapshot

#: Functions that read files, the network or the environment, or run other SQL.
FORBIDDEN_FUNCTIONS = frozenset(
    {
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "read_text",
        "read_blob",
        "read_xlsx",
        "glob",
        "sniff_csv",
        "delta_scan",
        "iceberg_scan",
        "sqlite_scan",
        "postgres_scan",
        "mysql_scan",
        "query",
        "query_table",
        "getenv",
        "current_setting",
        "duckdb_databases",
        "duckdb_temporary_files",
        "pragma_database_list",
        "pragma_database_size",
        "which_secret",
        "duckdb_secrets",
        "duckdb_settings",
        "duckdb_extensions",
        "load_aws_credentials",
        "httpfs",
        "read_fits",
    }
)
ALLOWED_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except)
FORBIDDEN_NODES = (exp.Command, exp.Pragma, exp.Set, exp.Copy, exp.Attach, exp.Detach, exp.Into)


class QueryError(ValueError):
    """The SQL was refused or failed; the message says why."""


def check_sql(sql: str) -> exp.Expression:
    """Parse ``sql`` and refuse anything but a single read-only query.

    Examples
    --------
    >>> check_sql("select 1").sql()
    'SELECT 1'
    >>> check_sql("copy t to 'x.csv'")
    Traceback (most recent call last):
    ...
    treasury.warehouse.query.QueryError: only a single SELECT (or WITH ... SELECT) is allowed
    """
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise QueryError(f"the SQL cannot be parsed: {exc}") from None
    if len(statements) != 1:
        raise QueryError("exactly one statement is allowed")
    tree = statements[0]
    if not isinstance(tree, ALLOWED_ROOTS) or tree.find(*FORBIDDEN_NODES):
        raise QueryError("only a single SELECT (or WITH ... SELECT) is allowed")
    for node in tree.find_all(exp.Func):
        name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
        if name in FORBIDDEN_FUNCTIONS or isinstance(node, exp.ReadCSV):
            raise QueryError(f"function {name} is not allowed")
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise QueryError("table functions and file paths are not allowed in FROM")
        if table.args.get("db") or table.args.get("catalog"):
            raise QueryError(f"qualified table names are not allowed: {table.sql()}")
    return tree


#: Largest LIMIT for which a snapshot query reads the non-key columns of the chosen rows only.
LATE_ROWS = 2_048

#: Connections to one snapshot file in one process share a DuckDB instance: its lock-down (check,
#: then set) must not interleave, or the second connection finds the configuration locked half way.
_LOCK_DOWN = threading.Lock()


def lock_down(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """No file or network access but the lake's (snapshot views read its Parquet files), and the
    configuration locked; the shared instance may have been locked already by another connection.

    Raises
    ------
    QueryError
        When the instance is locked with external access still on (someone else's settings).
    """
    with _LOCK_DOWN:
        locked, external = con.execute(
            "SELECT current_setting('lock_configuration'), "
            "current_setting('enable_external_access')"
        ).fetchone() or (False, True)
        if not locked:
            lake = settings.lake
            dirs = sorted({str(p).rstrip("/") + "/" for p in (lake.absolute(), lake.resolve())})
            con.execute(f"SET allowed_directories = [{', '.join(quote(d) for d in dirs)}]")
            con.execute("SET enable_external_access = false")
            # Snapshot views read the lake's Parquet files, which a version never changes: keep
            # their footers (schema, row-group statistics) instead of reading them per query.
            con.execute("SET parquet_metadata_cache = true")
            # A keyset page (ORDER BY ... LIMIT, up to the API's 1,000 rows) finds its rows on
            # the sort and filter columns first and reads the other columns of those rows only
            # (DuckDB's default stops at LIMIT 50): measured on SP2D, a Kanwil's or an
            # unfiltered page takes half the CPU, a KPPN's page 5-25% less, same rows.
            con.execute(f"SET late_materialization_max_rows = {LATE_ROWS}")
            con.execute("SET lock_configuration = true")
        elif external:
            raise QueryError("the snapshot connection allows external access; refusing to run SQL")


def run_query(
    sql: str, limit: int = 10_000, settings: Settings | None = None, timeout: float = 30.0
) -> pa.Table:
    """Run one read-only query over the current serving snapshot.

    Parameters
    ----------
    sql
        A single SELECT (DuckDB dialect) over the snapshot's tables (the marts, ``ref_*``).
    limit
        At most this many rows are returned.
    settings
        Settings (default: the process settings).
    timeout
        Seconds before the query is interrupted.

    Examples
    --------
    >>> run_query("select tahun, sum(realisasi) as r from mart_apbn_bulanan group by 1", limit=5)
    ... # doctest: +SKIP
    """
    tree = check_sql(sql)
    try:
        con = open_snapshot(settings or get_settings())
    except FileNotFoundError as exc:
        raise QueryError(str(exc)) from None
    timer = threading.Timer(timeout, con.interrupt)
    try:
        lock_down(con, settings or get_settings())
        known = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT internal "
                "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if table.name not in known and table.name not in ctes:
                raise QueryError(f"unknown table {table.name}")
        timer.start()
        inner = tree.sql(dialect="duckdb")
        return con.sql(f"SELECT * FROM ({inner}) AS q LIMIT {int(limit)}").to_arrow_table()
    except QueryError:
        raise
    except Exception as exc:
        if not timer.is_alive() and timer.finished.is_set():
            raise QueryError(f"the query took longer than {timeout:g} s") from None
        raise QueryError(str(exc).split("\n")[0]) from None
    finally:
        timer.cancel()
        con.close()
