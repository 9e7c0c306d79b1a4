"""Which datasets the current serving snapshot can serve (their tables and columns exist)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from treasury.catalog.registry import Catalog, SourceProblem


class _Connection(Protocol):
    def execute(self, query: str, /) -> Any: ...


def snapshot_columns(connection: _Connection) -> dict[str, list[str]]:
    """Table (or view) -> column names of a database, read from ``information_schema``.

    Works with a DuckDB connection to the serving snapshot (or any connection whose
    ``execute`` returns a cursor with ``fetchall``).
    """
    rows = connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    out: dict[str, list[str]] = defaultdict(list)
    for table, column in rows:
        out[str(table)].append(str(column))
    return dict(out)


def unavailable(catalog: Catalog, connection: _Connection) -> list[SourceProblem]:
    """Datasets the snapshot behind ``connection`` cannot serve, with what is missing.

    Examples
    --------
    >>> import duckdb
    >>> from treasury.catalog import load_catalog
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE ref_kanwil (kode_kanwil VARCHAR, nama VARCHAR)")
    >>> [p for p in unavailable(load_catalog(), con) if p.slug == "ref-kanwil"]
    [SourceProblem(slug='ref-kanwil', table='ref_kanwil', missing_columns=('kode_provinsi',), declared_unavailable=False)]
    """
    return catalog.check_sources(snapshot_columns(connection))
