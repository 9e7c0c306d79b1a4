"""The DuckDB engine, and the one place DuckDB connections are configured.

Every connection the warehouse opens comes from :func:`connect`: bounded threads and memory,
and extension auto-install/auto-load switched off (nothing is ever downloaded at run time).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

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


class DuckDBEngine:
    """Run mart SQL in an in-process DuckDB (inputs registered as views, zero copy)."""

    name = "duckdb"

    def __init__(self, settings: Settings | None = None) -> None:
        self.con = connect(settings)

    def run_mart(self, name: str, sql: str, tables: Mapping[str, TableLike]) -> pa.Table:
        """Run one mart; the inputs are visible under their keys only while it runs."""
        registered = []
        try:
            for view, data in tables.items():
                self.con.register(view, data)
                registered.append(view)
            relation = self.con.sql(sql)
            if relation is None:
                raise ValueError(f"mart {name!r} does not end with a query")
            return relation.to_arrow_table()
        finally:
            for view in registered:
                self.con.unregister(view)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
