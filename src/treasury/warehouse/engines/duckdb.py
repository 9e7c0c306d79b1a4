"""The DuckDB engine, and the one place DuckDB connections are configured.

Every connection the warehouse opens comes from :func:`connect`: bounded threads and memory,
and extension auto-install/auto-load switched off (nothing is ever downloaded at run time).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from treasury.config import Settings, get_settings
from treasury.warehouse.engines import TableLike

_names = itertools.count()


def connect(
    settings: Settings | None = None, database: str | Path = ":memory:", read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the platform's limits and no extension downloads.

    Examples
    --------
    >>> connect().execute("select current_setting('autoinstall_known_extensions')").fetchone()
    (False,)
    """
    settings = settings or get_settings()
    config: dict[str, str | bool | int | float | list[str]] = {
        "threads": str(settings.duckdb_threads),
        "memory_limit": settings.duckdb_memory_limit,
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }
    return duckdb.connect(str(database), read_only=read_only, config=config)


def parquet_files(data: TableLike) -> list[str] | None:
    """The Parquet files of a plain file dataset (a lake table read by ``lake.read``), or None
    for anything else (an Arrow table, a filtered or non-Parquet dataset)."""
    if not isinstance(data, ds.FileSystemDataset) or data.format.default_extname != "parquet":
        return None
    if not data.files or getattr(data, "_scan_options", None):  # a filter to keep
        return None
    if not data.partition_expression.equals(ds.scalar(True)):
        return None
    return list(data.files)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def attach(con: duckdb.DuckDBPyConnection, view: str, data: TableLike) -> Callable[[], object]:
    """Make ``data`` visible in ``con`` as ``view``; returns the function that removes it.

    A lake table (a dataset of Parquet files) becomes a view over DuckDB's own Parquet reader,
    which scans row groups in parallel and reads only the columns a query uses (through the
    Arrow dataset scanner the marts took up to three times longer); anything else is
    registered as it is (zero copy).
    """
    files = parquet_files(data)
    if files is None:
        con.register(view, data)
        return lambda: con.unregister(view)
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    columns = ", ".join(_quoted(c) for c in data.schema.names)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {_quoted(view)} AS SELECT {columns} "
        f"FROM read_parquet([{listed}], union_by_name = true)"
    )
    return lambda: con.execute(f"DROP VIEW IF EXISTS {_quoted(view)}")


class DuckDBEngine:
    """Run mart SQL in an in-process DuckDB (inputs attached by :func:`attach`)."""

    name = "duckdb"

    def __init__(self, settings: Settings | None = None) -> None:
        self.con = connect(settings)

    def run_mart(self, name: str, sql: str, tables: Mapping[str, TableLike]) -> pa.Table:
        """Run one mart; the inputs are visible under their keys only while it runs."""
        detach = []
        try:
            for view, data in tables.items():
                detach.append(attach(self.con, view, data))
            relation = self.con.sql(sql)
            if relation is None:
                raise ValueError(f"mart {name!r} does not end with a query")
            return relation.to_arrow_table()
        finally:
            for remove in detach:
                remove()

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
