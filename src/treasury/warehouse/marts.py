"""Marts: SQL models (``marts/<name>.sql``, DuckDB dialect, one model per file) run in
dependency order.

A model refers to clean tables as ``clean_<dataset>``, to reference tables as ``ref_*`` and to
other marts by name; the references are read with SQLGlot, which orders the models. Each file
says its grain (the columns that identify a row) in a ``-- grain:`` comment, which the tests
check is unique; the snapshot sorts each mart by its ``-- order:`` columns (default: the grain;
``none`` keeps the build order) so that DuckDB's zone maps skip row groups a filter excludes.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import sqlglot
from sqlglot import exp

from treasury.warehouse.engines import Engine, TableLike

MARTS_DIR = Path(__file__).parent / "marts"


class MartError(RuntimeError):
    """A mart failed to build; the message names it."""

    def __init__(self, mart: str, cause: Exception) -> None:
        super().__init__(f"mart {mart} failed: {cause}")
        self.mart = mart


@dataclass(frozen=True)
class Mart:
    """One mart model: its name, SQL, grain and the tables it reads."""

    name: str
    sql: str
    grain: tuple[str, ...]
    inputs: frozenset[str]
    order: tuple[str, ...] = ()

    @property
    def depends_on(self) -> frozenset[str]:
        """The other marts this one reads."""
        return frozenset(t for t in self.inputs if t.startswith("mart_"))


def referenced_tables(sql: str) -> set[str]:
    """Names of the tables a query reads (CTE names excluded).

    Examples
    --------
    >>> sorted(referenced_tables("with a as (select * from t) select * from a join ref_x using (k)"))
    ['ref_x', 't']
    """
    names: set[str] = set()
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is None:
            continue
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        names |= {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}
    return names


def _header(sql: str, name: str) -> tuple[str, ...]:
    """Columns listed in a ``-- <name>: a, b`` comment of a mart file."""
    found = re.search(rf"^--\s*{name}:\s*(.+)$", sql, flags=re.M)
    return tuple(c.strip() for c in found.group(1).split(",")) if found else ()


@cache
def load_marts(directory: Path = MARTS_DIR) -> tuple[Mart, ...]:
    """Every mart model, in an order where each comes after the marts it reads."""
    models = {}
    for path in sorted(directory.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        grain = _header(sql, "grain")
        order = _header(sql, "order") or grain
        if order[0].startswith("none"):
            order = ()
        models[path.stem] = Mart(path.stem, sql, grain, frozenset(referenced_tables(sql)), order)
    graph = graphlib.TopologicalSorter({m.name: m.depends_on for m in models.values()})
    unknown = {d for m in models.values() for d in m.depends_on} - set(models)
    if unknown:
        raise ValueError(f"marts read unknown marts: {sorted(unknown)}")
    return tuple(models[name] for name in graph.static_order())


def build(
    engine: Engine,
    tables: Mapping[str, TableLike],
    done: Callable[[Mart, pa.Table, float], None] = lambda m, t, s: None,
) -> dict[str, pa.Table]:
    """Run every mart on ``engine``; ``done`` is called after each one (mart, rows, seconds).

    Parameters
    ----------
    engine
        The mart engine.
    tables
        ``clean_*`` and ``ref_*`` inputs by name; mart results are added as they are built.
    """
    import time

    available: dict[str, TableLike] = dict(tables)
    built: dict[str, pa.Table] = {}
    for mart in load_marts():
        missing = mart.inputs - set(available)
        if missing:
            raise ValueError(f"{mart.name} reads tables that do not exist: {sorted(missing)}")
        started = time.perf_counter()
        try:
            result = engine.run_mart(mart.name, mart.sql, {t: available[t] for t in mart.inputs})
        except Exception as exc:
            raise MartError(mart.name, exc) from exc
        built[mart.name] = available[mart.name] = result
        done(mart, result, time.perf_counter() - started)
    return built
