"""Ingest: find the landing files and open each one as a DuckDB relation of its contract columns.

One file is one batch (``landing/<dataset>/<batch>.<parquet|csv|xlsx>``). Parquet is read by
DuckDB itself (streamed, projected, dictionary pages kept), CSV and Excel through
``treasury.sources.files.read_extract`` as all-text Arrow tables. A file that cannot be read or
lacks a required column raises :class:`ExtractError`, which fails that batch only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from treasury.sources.files import ExtractError as SourceExtractError
from treasury.sources.files import read_extract
from treasury.warehouse.contracts import Contract, ident, quote

SUFFIXES = (".parquet", ".csv", ".xlsx")
_views = itertools.count()


class ExtractError(Exception):
    """A landing file cannot be used; the message says why in words an operator understands."""


@dataclass(frozen=True)
class LandingFile:
    """One landing file: its dataset, batch id, path, size and modification time."""

    dataset: str
    batch: str
    path: Path
    size: int
    mtime_ns: int


def discover(landing: Path) -> dict[str, list[LandingFile]]:
    """Landing files by dataset folder, each list sorted by batch id."""
    found: dict[str, list[LandingFile]] = {}
    if not landing.exists():
        return found
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        files = []
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in SUFFIXES and path.is_file():
                stat = path.stat()
                files.append(
                    LandingFile(folder.name, path.stem, path, stat.st_size, stat.st_mtime_ns)
                )
        found[folder.name] = sorted(files, key=lambda f: f.batch)
    return found


def _read_text_extract(path: Path) -> pa.Table:
    """CSV or XLSX as an all-string Arrow table, through the file connector."""
    try:
        return read_extract(path)
    except Exception as exc:  # the connector's ExtractError, or anything it did not foresee
        raise ExtractError(
            str(exc)
            if isinstance(exc, SourceExtractError)
            else f"{path.name} cannot be read: {exc}"
        ) from exc


#: Bits of ``_i`` holding the row number in its file; the bits above hold the file's position
#: in its group. ``_i`` identifies a row across the files of one query.
ROW_BITS = 40
ROW_MASK = (1 << ROW_BITS) - 1
#: Parquet files of one dataset are validated together, up to this many rows per query.
GROUP_ROWS = 1_000_000


@dataclass
class Extract:
    """Landing files opened for validation as one relation.

    ``relation`` is SQL selecting ``_i`` (file position << ROW_BITS | 1-based row number) and
    the contract's columns; ``schema`` holds the delivered types of those columns.
    """

    files: list[LandingFile]
    relation: str
    schema: pa.Schema
    extra: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    view: str | None = None
    records: Callable[[list[int]], list[dict[str, Any]]] = lambda ids: []

    def where(self, i: int) -> str:
        """``row N`` (of the row's own file) for a row id."""
        return f"row {i & ROW_MASK}"

    def batch_of(self, i: int) -> str:
        """The batch of a row id."""
        return self.files[i >> ROW_BITS].batch


def _columns(contract: Contract, delivered: pa.Schema, name: str) -> tuple[list[str], list[str]]:
    """(extra columns, missing optional columns); raises when a required column is missing."""
    have = set(delivered.names)
    missing = [f for f in contract.fields if f.name not in have]
    required = [f.name for f in missing if f.required]
    if required:
        raise ExtractError(f"{name} lacks required columns: {', '.join(required)}")
    extra = [n for n in delivered.names if n not in set(contract.names)]
    return extra, [f.name for f in missing]


def plan(files: list[LandingFile]) -> list[list[LandingFile]]:
    """Groups of files validated by one query: consecutive Parquet files with the same schema,
    up to :data:`GROUP_ROWS` rows; every other file (CSV, Excel, unreadable) alone."""
    groups: list[list[LandingFile]] = []
    current: list[LandingFile] = []
    schema: pa.Schema | None = None
    rows = 0
    for f in files:
        try:
            meta = pq.read_metadata(f.path) if f.path.suffix.lower() == ".parquet" else None
        except Exception:
            meta = None
        if meta is None:
            groups.append([f])
            continue
        if current and (
            meta.schema.to_arrow_schema() != schema or rows + meta.num_rows > GROUP_ROWS
        ):
            groups.append(current)
            current, rows = [], 0
        current.append(f)
        schema, rows = meta.schema.to_arrow_schema(), rows + meta.num_rows
    if current:
        groups.append(current)
    return sorted(groups, key=lambda g: g[0].batch)


def open_extract(
    con: duckdb.DuckDBPyConnection, files: list[LandingFile], contract: Contract
) -> Extract:
    """Open landing files (several Parquet files of one schema, or one CSV/XLSX file) as one
    relation over their contract columns.

    Raises
    ------
    ExtractError
        A file cannot be read or a required column is missing.
    """
    first = files[0]
    view = None
    if first.path.suffix.lower() == ".parquet":
        try:
            delivered = pq.read_schema(first.path)
        except Exception as exc:
            raise ExtractError(f"{first.path.name} cannot be read: {exc}") from exc
        paths = ", ".join(quote(str(f.path)) for f in files)
        source = f"read_parquet([{paths}], file_row_number = true)"
        row = f"(CAST(file_index AS BIGINT) << {ROW_BITS}) + file_row_number + 1"
    else:
        table = _read_text_extract(first.path)
        delivered = table.schema
        view = f"_extract_{next(_views)}"
        con.register(view, table.append_column("_i", pa.array(np.arange(1, table.num_rows + 1))))
        source, row = view, "_i"
    extra, missing = _columns(contract, delivered, first.path.name)
    select = [f"{row} AS _i"]
    types = []
    for f in contract.fields:
        if f.name in missing:
            select.append(f"CAST(NULL AS {f.sql_type}) AS {ident(f.name)}")
            types.append(pa.field(f.name, f.arrow_type))
        else:
            select.append(ident(f.name))
            types.append(delivered.field(f.name))
    relation = f"(SELECT {', '.join(select)} FROM {source})"

    def records(ids: list[int]) -> list[dict[str, Any]]:
        """Delivered rows by row id, for the quarantine."""
        found = con.execute(f"SELECT * FROM {relation} WHERE _i IN (SELECT unnest(?))", [ids])
        names = [d[0] for d in found.description or []]
        return [dict(zip(names, r, strict=True)) for r in found.fetchall()]

    return Extract(list(files), relation, pa.schema(types), extra, missing, view, records)


def close_extract(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """Release an extract's registered Arrow table."""
    if extract.view:
        con.unregister(extract.view)
