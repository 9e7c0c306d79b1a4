"""Mart engines: run one mart's SQL (DuckDB dialect) over named Arrow inputs.

An engine takes the inputs as Arrow tables or datasets (a lake table is
``DeltaTable(path).to_pyarrow_dataset()``) and returns the mart as an Arrow table whose column
names and types do not depend on the engine. DuckDB runs in process (the default); Spark runs
the same SQL transpiled by SQLGlot (:mod:`treasury.warehouse.engines.spark`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeAlias

import pyarrow as pa
import pyarrow.dataset as ds

from treasury.config import Settings

TableLike: TypeAlias = pa.Table | ds.Dataset


class Engine(Protocol):
    """What the pipeline needs of a mart engine."""

    name: str

    def run_mart(self, name: str, sql: str, tables: Mapping[str, TableLike]) -> pa.Table:
        """Run ``sql`` with each key of ``tables`` visible as a table; return the rows."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...


def get_engine(name: str, settings: Settings | None = None) -> Engine:
    """The engine called ``name`` (``duckdb`` or ``spark``).

    Examples
    --------
    >>> get_engine("duckdb").run_mart("m", "select 1 as x", {}).to_pylist()
    [{'x': 1}]
    """
    if name == "duckdb":
        from treasury.warehouse.engines.duckdb import DuckDBEngine

        return DuckDBEngine(settings)
    if name == "spark":
        from treasury.warehouse.engines.spark import SparkEngine

        return SparkEngine()
    raise ValueError(f"unknown engine {name!r}: use duckdb or spark")


__all__ = ["Engine", "TableLike", "get_engine"]
